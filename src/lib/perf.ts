/**
 * Performance marks the benchmark (`npm run bench`, bench/browser.ts) reads. They are
 * User Timing marks, so they also show in any browser's performance panel. Each is set once
 * per page load: the first call wins, later calls are ignored.
 *
 * - `cruscotto:token`        the login callback has received the tokens (the timing origin)
 * - `cruscotto:first-kpi`    the KPI cards show their values (from the first-view summary)
 * - `cruscotto:first-chart`  the first chart of the home view is drawn
 * - `cruscotto:engine-instantiated` DuckDB-WASM's worker is up and its wasm compiled
 * - `cruscotto:extract-loaded` the first extract is in the engine's table
 * - `cruscotto:engine-ready` DuckDB-WASM is instantiated and the user's extracts are loaded
 * - `cruscotto:interactive`  the engine is ready and the first DuckDB-backed chart is drawn
 */

export const PERF_MARKS = {
	token: 'cruscotto:token',
	firstKpi: 'cruscotto:first-kpi',
	firstChart: 'cruscotto:first-chart',
	engineInstantiated: 'cruscotto:engine-instantiated',
	extractLoaded: 'cruscotto:extract-loaded',
	engineReady: 'cruscotto:engine-ready',
	interactive: 'cruscotto:interactive'
} as const;

export type PerfMark = keyof typeof PERF_MARKS;

/** Sets the mark once per page load; a no-op where User Timing is missing (tests in Node). */
export function mark(which: PerfMark): void {
	const name = PERF_MARKS[which];
	if (typeof performance === 'undefined' || typeof performance.mark !== 'function') return;
	if (performance.getEntriesByName(name, 'mark').length > 0) return;
	performance.mark(name);
}

/**
 * Marks after the next frame is painted, for marks that mean "on screen": call it right
 * after the state change that renders the values (Svelte flushes the DOM in a microtask,
 * and the frame after that is the one the user sees).
 */
export function markAfterPaint(which: PerfMark): void {
	if (typeof requestAnimationFrame !== 'function') return mark(which);
	requestAnimationFrame(() => setTimeout(() => mark(which), 0));
}
