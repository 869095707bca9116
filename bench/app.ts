/**
 * The app's figures: cold sessions (a fresh browser profile each), warm sessions (one profile,
 * after a first visit that runs the scripted interactions), the ATS user's bytes.
 */
import { launchBrowser } from '../tests/support/browser.ts';
import { installRecorder, runSession, type SessionResult } from './browser.ts';
import { runInteractions } from './interactions.ts';
import type { Figures } from './report.ts';
import { BENCH_ATS_CF, BENCH_REGIONE_CF } from './stack.ts';
import { median, quantile } from './stats.ts';

type Log = (s: string) => void;

const describe = (r: SessionResult) =>
	`token→kpi ${fmt(r.first_kpi_ms)} ms, →chart ${fmt(r.first_chart_ms)} ms, →engine ${fmt(r.engine_ms)} ms, →extract ${fmt(r.extract_ms)} ms, →interactive ${fmt(r.interactive_ms)} ms, ` +
	`${r.bytes_total} B (data ${r.bytes_data} B, first chart ${r.bytes_first_chart} B), origin ${r.origin}`;
const fmt = (v: number | null) => (v === null ? '–' : v.toFixed(0));

async function coldSession(appURL: string, fiscalCode: string): Promise<SessionResult> {
	const browser = await launchBrowser();
	try {
		await installRecorder(browser.context);
		const { result } = await runSession(browser.context, { appUrl: appURL + '/', fiscalCode });
		return result;
	} finally {
		await browser.close();
	}
}

/** Runs every app phase; returns the figures and notes for the report. */
export async function benchApp(opts: { appURL: string; runs: number; log: Log }): Promise<{ figures: Figures; notes: string[] }> {
	const { appURL, runs, log } = opts;
	const notes: string[] = [];
	const cold: SessionResult[] = [];
	for (let i = 0; i < runs; i++) {
		cold.push(await coldSession(appURL, BENCH_REGIONE_CF));
		log(`regione cold ${i + 1}/${runs}: ${describe(cold.at(-1)!)}`);
	}
	const ats: SessionResult[] = [];
	for (let i = 0; i < Math.min(runs, 3); i++) {
		ats.push(await coldSession(appURL, BENCH_ATS_CF));
		log(`ats cold ${i + 1}: ${describe(ats.at(-1)!)}`);
	}

	const warm: SessionResult[] = [];
	let interactionMs: number[] = [];
	let queryMs: number[] = [];
	const browser = await launchBrowser();
	try {
		await installRecorder(browser.context);
		// The first visit is a user's session (login, home, the scripted interactions), not counted
		// as warm: what a returning user finds cached (HTTP, Cache Storage, and the compiled wasm,
		// which Chromium stores only once enough of it has been optimised) comes from real use.
		const first = await runSession(browser.context, { appUrl: appURL + '/', fiscalCode: BENCH_REGIONE_CF });
		const out = await runInteractions(first.page, appURL, log).catch((error: unknown) => {
			notes.push(`interactions failed: ${error instanceof Error ? error.message : String(error)}`);
			return [];
		});
		interactionMs = out.map((o) => o.ms);
		queryMs = out.map((o) => o.queryMs);
		await first.page.close();
		for (let i = 0; i < runs; i++) {
			const { page, result } = await runSession(browser.context, { appUrl: appURL + '/', fiscalCode: BENCH_REGIONE_CF });
			warm.push(result);
			log(`regione warm ${i + 1}/${runs}: ${describe(result)}`);
			await page.close();
		}
	} finally {
		await browser.close();
	}
	if (cold.some((r) => r.origin === 'resource')) notes.push("timing origin: the token response's end (the app set no cruscotto:token mark)");
	if (interactionMs.length > 0 && interactionMs.length < 20) notes.push(`only ${interactionMs.length} interactions measured`);
	const m = (rs: SessionResult[], k: keyof SessionResult) => median(rs.map((r) => r[k] as number | null));
	return {
		figures: {
			first_kpi_ms_cold: m(cold, 'first_kpi_ms'),
			first_kpi_ms_warm: m(warm, 'first_kpi_ms'),
			interactive_ms_cold: m(cold, 'interactive_ms'),
			interactive_ms_warm: m(warm, 'interactive_ms'),
			interaction_p95_ms: interactionMs.length ? quantile(interactionMs, 0.95) : null,
			bytes_cold_total: m(cold, 'bytes_total'),
			bytes_data_regione: m(cold, 'bytes_data'),
			bytes_data_ats: m(ats, 'bytes_data'),
			first_chart_ms_cold: m(cold, 'first_chart_ms'),
			engine_ms_cold: m(cold, 'engine_ms'),
			extract_ms_cold: m(cold, 'extract_ms'),
			engine_ms_warm: m(warm, 'engine_ms'),
			extract_ms_warm: m(warm, 'extract_ms'),
			bytes_first_chart_cold: m(cold, 'bytes_first_chart'),
			first_kpi_ms_ats_cold: m(ats, 'first_kpi_ms'),
			interactive_ms_ats_cold: m(ats, 'interactive_ms'),
			bytes_cold_total_ats: m(ats, 'bytes_total'),
			bytes_warm_total: m(warm, 'bytes_total'),
			interactions: interactionMs.length,
			interaction_median_ms: median(interactionMs),
			interaction_query_p95_ms: queryMs.length ? quantile(queryMs, 0.95) : null
		},
		notes
	};
}
