/**
 * The app's figures: cold sessions (a fresh browser profile each), warm sessions (one profile,
 * each session running the scripted interactions after its own figures), the ATS user's bytes.
 */
import type { Page } from 'playwright-core';
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
	/** One pass of the scripted sequence per session of the warm profile: its steps' times. */
	const passes: { ms: number; queryMs: number }[][] = [];
	const interact = async (page: Page, label: string) => {
		const out = await runInteractions(page, appURL, log).catch((error: unknown) => {
			notes.push(`interactions (${label}) failed: ${error instanceof Error ? error.message : String(error)}`);
			return [];
		});
		if (out.length > 0) {
			passes.push(out);
			log(`interactions ${label}: p95 ${fmt(quantile(out.map((o) => o.ms), 0.95))} ms, median ${fmt(median(out.map((o) => o.ms)))} ms over ${out.length} steps`);
		}
	};
	const browser = await launchBrowser();
	try {
		await installRecorder(browser.context);
		// The first visit is a user's session (login, home, the scripted interactions), not counted
		// as warm: what a returning user finds cached (HTTP, Cache Storage, and the compiled wasm,
		// which Chromium stores only once enough of it has been optimised) comes from real use.
		const first = await runSession(browser.context, { appUrl: appURL + '/', fiscalCode: BENCH_REGIONE_CF });
		await interact(first.page, 'pass 1 (first visit)');
		await first.page.close();
		for (let i = 0; i < runs; i++) {
			const { page, result } = await runSession(browser.context, { appUrl: appURL + '/', fiscalCode: BENCH_REGIONE_CF });
			warm.push(result);
			log(`regione warm ${i + 1}/${runs}: ${describe(result)}`);
			// After the session's figures are taken: the sequence again, so the p95 is a median of
			// passes like every other figure, not one pass's 2nd–3rd slowest step.
			await interact(page, `pass ${i + 2}`);
			await page.close();
		}
	} finally {
		await browser.close();
	}
	const interactionMs = passes.flat().map((o) => o.ms);
	const queryMs = passes.flat().map((o) => o.queryMs);
	const passP95 = passes.map((p) => quantile(p.map((o) => o.ms), 0.95));
	if (cold.some((r) => r.origin === 'resource')) notes.push("timing origin: the token response's end (the app set no cruscotto:token mark)");
	const short = passes.filter((p) => p.length < 20).length;
	if (short > 0) notes.push(`${short} of ${passes.length} interaction passes timed fewer than 20 steps`);
	if (passes.length > 0) notes.push(`interaction p95 of each pass: ${passP95.map(fmt).join(', ')} ms`);
	const m = (rs: SessionResult[], k: keyof SessionResult) => median(rs.map((r) => r[k] as number | null));
	return {
		figures: {
			first_kpi_ms_cold: m(cold, 'first_kpi_ms'),
			first_kpi_ms_warm: m(warm, 'first_kpi_ms'),
			interactive_ms_cold: m(cold, 'interactive_ms'),
			interactive_ms_warm: m(warm, 'interactive_ms'),
			// The median over passes of each pass's p95 (medians of runs, as every figure here).
			interaction_p95_ms: median(passP95),
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
			interaction_passes: passes.length,
			interaction_p95_ms_pooled: quantile(interactionMs, 0.95),
			interaction_median_ms: median(interactionMs),
			interaction_query_p95_ms: queryMs.length ? quantile(queryMs, 0.95) : null
		},
		notes
	};
}
