/**
 * One session of a user in headless Chromium through the real stack: log in at the provider,
 * land on the home view, and read when the token arrived, when the KPI values were on screen,
 * when DuckDB drew its first chart, and the bytes transferred.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { countBytes, type RequestBytes } from './net.ts';
import { driveLogin, loginStep } from './login.ts';

/** Epoch-ms times the page recorded (see `recorder`). */
export type Times = Record<string, number>;

export interface SessionResult {
	/** ms from the token's arrival; null when the app never reached that point. */
	first_kpi_ms: number | null;
	first_chart_ms: number | null;
	interactive_ms: number | null;
	/** The parts of `interactive_ms`: the engine compiled, the extract in its table. */
	engine_ms: number | null;
	extract_ms: number | null;
	/** Which clock gave the origin: the app's `cruscotto:token` mark or the token response. */
	origin: 'mark' | 'resource';
	/** Bytes from the gateway's origin: everything, `/extracts/` only, and what the first chart waited for. */
	bytes_total: number;
	bytes_data: number;
	bytes_first_chart: number;
	bytes_idp: number;
	requests: RequestBytes[];
	times: Times;
}

/**
 * Runs in every document before its scripts: records the app's `cruscotto:*` marks, the token
 * response's end, and the moment every KPI card holds a value (a DOM fact the app cannot
 * fake), as epoch ms in sessionStorage so that a full navigation keeps them.
 */
function recorder(): void {
	const KEY = '__benchTimes';
	const record = (name: string, t: number) => {
		const all = JSON.parse(sessionStorage.getItem(KEY) ?? '{}') as Record<string, number>;
		if (name in all) return;
		all[name] = t;
		sessionStorage.setItem(KEY, JSON.stringify(all));
	};
	new PerformanceObserver((list) => {
		for (const e of list.getEntries()) if (e.name.startsWith('cruscotto:')) record(e.name, performance.timeOrigin + e.startTime);
	}).observe({ type: 'mark', buffered: true });
	new PerformanceObserver((list) => {
		for (const e of list.getEntries() as PerformanceResourceTiming[]) {
			if (/\/token(\?|$)/.test(e.name)) record('resource:token', performance.timeOrigin + e.responseEnd);
		}
	}).observe({ type: 'resource', buffered: true });
	let queued = false;
	const check = () => {
		queued = false;
		const cards = [...document.querySelectorAll('[data-kpi]')];
		if (cards.length >= 3 && cards.every((c) => (c.getAttribute('data-value') ?? '') !== '')) {
			record('dom:first-kpi', performance.timeOrigin + performance.now());
			observer.disconnect();
		}
	};
	const observer = new MutationObserver(() => {
		if (!queued) queueMicrotask(check);
		queued = true;
	});
	observer.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-value'] });
}

/** Installs the recorder in every page of the context. */
export async function installRecorder(context: BrowserContext): Promise<void> {
	await context.addInitScript(recorder);
}

const readTimes = (page: Page): Promise<Times> =>
	page.evaluate(() => JSON.parse(sessionStorage.getItem('__benchTimes') ?? '{}') as Record<string, number>);

/** The engine's files: the first chart never waits for them. */
const ENGINE = /duckdb.*\.(wasm|js)(\?|$)|\.wasm(\?|$)/;

/**
 * Logs `fiscalCode` in from a new tab of `context`, waits for the home view to become
 * interactive (DuckDB-backed chart drawn) and the network to settle, and returns the figures.
 * The page stays open for the caller (interactions); close it when done.
 */
export async function runSession(
	context: BrowserContext,
	opts: { appUrl: string; fiscalCode: string; timeoutMs?: number }
): Promise<{ page: Page; result: SessionResult }> {
	const timeout = opts.timeoutMs ?? 60_000;
	const page = await context.newPage();
	const net = countBytes(page);
	const appOrigin = new URL(opts.appUrl).origin;
	await page.goto(opts.appUrl);
	await driveLogin((args) => page.evaluate(loginStep, args), { appOrigin, fiscalCode: opts.fiscalCode }, timeout);
	const recorded = (name: string) => () => page.evaluate((n) => (sessionStorage.getItem('__benchTimes') ?? '').includes(n), name);
	await pollUntil(recorded('cruscotto:interactive'), timeout);
	// The extract's table may finish after the first DuckDB chart (it is built in the background).
	await pollUntil(recorded('cruscotto:extract-loaded'), 15_000);
	await settle(net, 500);
	const times = await readTimes(page);
	const origin = times['cruscotto:token'] !== undefined ? 'mark' : 'resource';
	const t0 = times['cruscotto:token'] ?? times['resource:token'];
	const since = (t: number | undefined) => (t === undefined || t0 === undefined ? null : t - t0);
	const firstKpiAt = times['dom:first-kpi'] ?? times['cruscotto:first-kpi'];
	const firstChartAt = times['cruscotto:first-chart'] ?? firstKpiAt;
	const requests = await net.requests();
	const app = requests.filter((r) => r.url.startsWith(appOrigin + '/'));
	const sum = (rs: RequestBytes[]) => rs.reduce((s, r) => s + r.bytes, 0);
	return {
		page,
		result: {
			first_kpi_ms: since(firstKpiAt),
			first_chart_ms: since(firstChartAt),
			interactive_ms: since(times['cruscotto:interactive']),
			engine_ms: since(times['cruscotto:engine-instantiated']),
			extract_ms: since(times['cruscotto:extract-loaded']),
			origin,
			bytes_total: sum(app),
			bytes_data: sum(app.filter((r) => new URL(r.url).pathname.startsWith('/extracts/'))),
			bytes_first_chart:
				firstChartAt === undefined
					? 0
					: sum(app.filter((r) => r.endMs <= firstChartAt && !ENGINE.test(r.url) && !r.url.endsWith('.parquet'))),
			bytes_idp: sum(requests.filter((r) => !r.url.startsWith(appOrigin + '/'))),
			requests,
			times
		}
	};
}

/**
 * Polls `check` (a `page.evaluate`) every 50 ms until it is true or `timeoutMs` passes. Not
 * `page.waitForFunction`: Playwright evaluates its ~50 ms injected script in the page's main
 * thread the first time, which landed in the middle of the start-up being timed.
 */
export async function pollUntil(check: () => Promise<unknown>, timeoutMs: number): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (await check().catch(() => false)) return true;
		await new Promise((r) => setTimeout(r, 50));
	}
	return false;
}

/** Waits until no request has finished for `quietMs`. */
async function settle(net: ReturnType<typeof countBytes>, quietMs: number): Promise<void> {
	let count = -1;
	for (let i = 0; i < 40; i++) {
		const n = (await net.requests()).length;
		if (n === count) return;
		count = n;
		await new Promise((r) => setTimeout(r, quietMs));
	}
}
