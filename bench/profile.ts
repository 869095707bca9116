/**
 * `node bench/profile.ts [--scale F | --extracts DIR] [--no-build | --app DIR] [--cold N] [--warm N] [--trace DIR]`: one cold and N warm
 * sessions of the Regione user through the bench stack, printing every User Timing mark and
 * measure and the main resources relative to the token, and (with --trace) a Chromium trace of
 * each session (the cold one up to the end of its start-up) with the wasm compile/cache events summarised. A tool for finding where
 * start-up time goes (docs/decisions/0030-start-up.md); `npm run bench` gives the figures.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../tests/support/browser.ts';
import { installRecorder, runSession } from './browser.ts';
import { runInteractions } from './interactions.ts';
import { buildAppCopy, ensureBenchData } from './data.ts';
import { startBenchStack, BENCH_REGIONE_CF } from './stack.ts';

const { values } = parseArgs({
	options: {
		scale: { type: 'string', default: '0.05' },
		extracts: { type: 'string' },
		'no-build': { type: 'boolean', default: false },
		/** A built app dir to profile instead of var/bench/app (e.g. one variant of an A/B). */
		app: { type: 'string' },
		warm: { type: 'string', default: '2' },
		/** Cold sessions (a fresh profile each, no trace) before the warm profile's first visit: the gateway's first manifest filtering is then behind them. */
		cold: { type: 'string', default: '0' },
		trace: { type: 'string' },
		/** Seconds each tab stays open after the figures (Chromium writes the wasm code cache ~2 s after the compile's tier-up). */
		linger: { type: 'string', default: '0' }
	}
});
const log = (s: string) => process.stderr.write(`[profile] ${s}\n`);

const CATEGORIES = [
	'devtools.timeline',
	'disabled-by-default-devtools.timeline',
	'v8.wasm',
	'disabled-by-default-v8.wasm.detailed',
	'v8.execute',
	'blink.user_timing',
	'toplevel',
	'disabled-by-default-v8.cpu_profiler'
].join(',');

interface TraceEvent {
	name: string;
	cat: string;
	ph: string;
	ts: number;
	dur?: number;
	pid: number;
	tid: number;
	args?: Record<string, unknown>;
}

/** One performance entry, flattened: epoch ms (`timeOrigin` + start), for pages and workers alike. */
interface Entry {
	type: string;
	name: string;
	at: number;
	duration: number;
	end: number;
	transferSize: number;
}

/** Every mark, measure and resource of the current global (page or worker), as epoch ms. */
function entries(): Entry[] {
	return performance.getEntries().map((e) => ({
		type: e.entryType,
		name: e.name,
		at: performance.timeOrigin + e.startTime,
		duration: e.duration,
		end: performance.timeOrigin + ((e as PerformanceResourceTiming).responseEnd ?? e.startTime + e.duration),
		transferSize: (e as PerformanceResourceTiming).transferSize ?? 0
	}));
}

/** The page's and its workers' view: marks, measures and resources relative to `cruscotto:token`. */
async function timeline(page: Page): Promise<string[]> {
	const own = await page.evaluate(entries);
	const workers = await Promise.all(page.workers().map((w) => w.evaluate(entries).catch(() => [] as Entry[])));
	const t0 = own.find((e) => e.name === 'cruscotto:token')?.at ?? 0;
	const out: string[] = [];
	const ms = (v: number) => (v - t0).toFixed(0).padStart(6);
	for (const [where, list] of [['', own], ...workers.map((w) => ['[worker] ', w] as const)] as const) {
		for (const e of list) {
			if (e.type === 'navigation') out.push(`${ms(e.at)} ${ms(e.end)} ${where}navigation ${e.name.replace(/^https?:\/\/[^/]+/, '').slice(0, 60)}`);
			else if (e.type === 'mark') out.push(`${ms(e.at)}        ${where}mark ${e.name}`);
			else if (e.type === 'measure') out.push(`${ms(e.at)} ${e.duration.toFixed(0).padStart(6)} ${where}measure ${e.name}`);
			else if (e.type === 'resource') {
				if (!/extracts|\.wasm|worker|config\.json|token/.test(e.name)) continue;
				out.push(`${ms(e.at)} ${ms(e.end)} ${where}${e.transferSize}B ${e.name.replace(/^https?:\/\/[^/]+/, '').slice(0, 120)}`);
			}
		}
	}
	return out.sort((a, b) => Number(a.slice(0, 6)) - Number(b.slice(0, 6)));
}

/** Wasm compile and code-cache events, and the busiest top-level tasks per thread. */
function summariseTrace(events: TraceEvent[]): string[] {
	const names = new Map<string, string>();
	for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, String(e.args?.name));
	const token = events.find((e) => e.name === 'cruscotto:token');
	const t0 = token?.ts ?? events[0]?.ts ?? 0;
	const out: string[] = [];
	for (const e of events) {
		if (!/v8\.wasm\.|GetNativeModuleFromCache|FinishStreaming|FinishAsyncCompile/.test(e.name) && !/cruscotto:/.test(e.name)) continue;
		if (e.ph === 'M') continue;
		const thread = names.get(`${e.pid}:${e.tid}`) ?? `${e.pid}:${e.tid}`;
		const args = e.args && Object.keys(e.args).length ? ' ' + JSON.stringify(e.args).slice(0, 160) : '';
		out.push(`${((e.ts - t0) / 1000).toFixed(0).padStart(6)} ${e.dur ? (e.dur / 1000).toFixed(1).padStart(7) : '      -'} ${thread.padEnd(22)} ${e.name}${args}`);
	}
	const busy = new Map<string, number>();
	for (const e of events) {
		if (e.name !== 'RunTask' || !e.dur || e.ts < t0) continue;
		const thread = names.get(`${e.pid}:${e.tid}`) ?? `${e.pid}:${e.tid}`;
		busy.set(thread, (busy.get(thread) ?? 0) + e.dur / 1000);
	}
	out.push('busy ms after the token, per thread:');
	for (const [t, v] of [...busy].sort((a, b) => b[1] - a[1]).slice(0, 10)) out.push(`  ${t.padEnd(28)} ${v.toFixed(0)}`);
	return out;
}

async function main(): Promise<void> {
	const data = await ensureBenchData({ scale: Number(values.scale), extractsDir: values.extracts, regione: 'r:03', log });
	const appDir = values.app ? path.resolve(values.app) : await buildAppCopy({ rebuild: !values['no-build'], log });
	const stack = await startBenchStack({ appDir, extractsDir: data.extractsDir, varDir: data.varDir, regione: data.regione, ats: data.ats });
	const browser = await launchBrowser();
	try {
		await installRecorder(browser.context);
		browser.context.on('console', (m) => {
			if (m.type() === 'error' || m.type() === 'warning') log(`console ${m.type()}: ${m.text()}`);
		});
		browser.context.on('weberror', (e) => log(`page error: ${e.error().message}`));
		for (let c = 1; c <= Number(values.cold); c++) {
			const fresh = await launchBrowser();
			try {
				await installRecorder(fresh.context);
				const { page: p, result } = await runSession(fresh.context, { appUrl: stack.appURL + '/', fiscalCode: BENCH_REGIONE_CF });
				log(`fresh ${c}: kpi ${result.first_kpi_ms?.toFixed(0)} chart ${result.first_chart_ms?.toFixed(0)} engine ${result.engine_ms?.toFixed(0)} extract ${result.extract_ms?.toFixed(0)} interactive ${result.interactive_ms?.toFixed(0)}`);
				process.stdout.write(`--- fresh ${c}\n${(await timeline(p)).join('\n')}\n`);
			} finally {
				await fresh.close();
			}
		}
		for (let i = 0; i <= Number(values.warm); i++) {
			const label = i === 0 ? 'cold' : `warm ${i}`;
			// Tracing is browser-wide: a blank tab holds the session while the measured tab runs.
			const holder = values.trace ? await browser.context.newPage() : null;
			const cdp = holder ? await browser.context.newCDPSession(holder) : null;
			const events: TraceEvent[] = [];
			if (cdp) {
				cdp.on('Tracing.dataCollected', (d) => void events.push(...(d.value as unknown as TraceEvent[])));
				await cdp.send('Tracing.start', { categories: CATEGORIES, transferMode: 'ReportEvents' });
			}
			const { page: p, result } = await runSession(browser.context, { appUrl: stack.appURL + '/', fiscalCode: BENCH_REGIONE_CF });
			log(`${label}: kpi ${result.first_kpi_ms?.toFixed(0)} chart ${result.first_chart_ms?.toFixed(0)} engine ${result.engine_ms?.toFixed(0)} extract ${result.extract_ms?.toFixed(0)} interactive ${result.interactive_ms?.toFixed(0)} bytes ${result.bytes_total}`);
			await new Promise((r) => setTimeout(r, Number(values.linger) * 1000));
			// The trace covers the start-up only (the cold session's interactions come after it).
			if (cdp) {
				const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
				await cdp.send('Tracing.end');
				await done;
				await mkdir(values.trace!, { recursive: true });
				await writeFile(path.join(values.trace!, `${label.replace(' ', '-')}.json`), JSON.stringify({ traceEvents: events }));
				process.stdout.write(summariseTrace(events).join('\n') + '\n');
			}
			// As in the bench: the uncounted first visit is a session that uses the app.
			if (i === 0) await runInteractions(p, stack.appURL, log).catch((e: unknown) => log(`interactions: ${String(e).slice(0, 200)}`));
			process.stdout.write(`--- ${label}\n${(await timeline(p)).join('\n')}\n`);
			await p.close();
			await holder?.close();
		}
	} finally {
		await browser.close();
		await stack.close();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`profile: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});
