/**
 * The engine's files, served from the app's origin (Vite `?url`: content-hashed under
 * `_app/immutable/`, cached immutably). A tiny module on purpose: importing it does not
 * evaluate DuckDB-WASM.
 */
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import mvpWasm from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';
import mvpWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-mvp.worker.js?url';
// no-inline: a data: URL worker is refused by the CSP (worker-src 'self' blob:), and would not be cached.
import engineWorker from './engine-worker.js?url&no-inline';

/**
 * DuckDB-WASM's worker behind ours (engine-worker.js), which lets Chromium cache the compiled
 * wasm and starts compiling `wasm` as soon as the worker runs. `earlyEngineScript` builds the
 * same URL (`workerURL`) in the page's first inline script: keep the two in step (engine-assets.test.ts).
 */
export const workerURL = (worker: string, duckdbWorker: string, wasm: string) => `${worker}?duckdb=${encodeURIComponent(duckdbWorker)}&wasm=${encodeURIComponent(wasm)}`;
const behind = (duckdbWorker: string, wasm: string) => workerURL(engineWorker, duckdbWorker, wasm);

export const BUNDLES = {
	mvp: { mainModule: mvpWasm, mainWorker: behind(mvpWorker, mvpWasm) },
	eh: { mainModule: ehWasm, mainWorker: behind(ehWorker, ehWasm) }
};

let early: Worker | null = null;

/** Where the page's inline script leaves the worker it started (`earlyEngineScript`). */
const INLINE_WORKER = '__cruscottoEngineWorker';

/**
 * The source of an inline script for the head of the app's page (hooks.server.ts): on the login
 * callback route it creates the engine's worker (eh build) while the HTML is parsed, ~150-250 ms
 * before the app's scripts have loaded and run `startEarlyWorker` (decision 0032 addendum). The
 * URL is `BUNDLES.eh.mainWorker`'s, made absolute as Vite's `?url` imports are in the browser;
 * `startEarlyWorker` takes the worker only if the two are equal. Paths are build-time constants.
 */
export function earlyEngineScript(paths = { engineWorker, duckdbWorker: ehWorker, wasm: ehWasm }): string {
	const args = [paths.engineWorker, paths.duckdbWorker, paths.wasm].map((p) => JSON.stringify(p)).join(',');
	return (
		`(function(w,d,m){if(!location.pathname.startsWith('/auth/callback')||typeof Worker!=='function')return;` +
		`try{var a=function(u){return new URL(u,location.href).href};` +
		`var u=a(w)+'?duckdb='+encodeURIComponent(a(d))+'&wasm='+encodeURIComponent(a(m));` +
		`window.${INLINE_WORKER}={url:u,worker:new Worker(u)}}catch(e){}})(${args})`
	);
}

/** The worker the page's inline script started, if its URL is `url` (else it is stopped). */
function inlineWorker(url: string): Worker | null {
	const g = globalThis as { [INLINE_WORKER]?: { url: string; worker: Worker } };
	const found = g[INLINE_WORKER];
	delete g[INLINE_WORKER];
	if (!found) return null;
	if (found.url === url) return found.worker;
	found.worker.terminate();
	return null;
}

/**
 * Creates the engine's worker (eh build) now — or takes the one the page's inline script
 * started — so that the wasm is read and compiled while the app's own scripts, the login
 * callback and DuckDB-WASM's main-thread module load; the engine takes it with
 * `takeEarlyWorker`. Exception handling is in every browser that runs this app (`selectBundle`
 * keeps the mvp build as the fallback, with a worker of its own).
 */
export function startEarlyWorker(): void {
	if (early || typeof Worker === 'undefined') return;
	engineRequested();
	early = inlineWorker(BUNDLES.eh.mainWorker) ?? new Worker(BUNDLES.eh.mainWorker);
}

/** The worker `startEarlyWorker` made, once, if it runs `mainWorker` (else it is stopped); null otherwise. */
export function takeEarlyWorker(mainWorker: string): Worker | null {
	const worker = early;
	early = null;
	if (worker && mainWorker !== BUNDLES.eh.mainWorker) worker.terminate();
	return worker && mainWorker === BUNDLES.eh.mainWorker ? worker : null;
}

let warmed = false;

/** Called when the engine itself starts: warming is then pointless. */
export function engineRequested(): void {
	warmed = true;
}

/**
 * Puts the worker scripts and the wasm into the HTTP cache while the first view renders from
 * its summary, so the engine, started after that first paint, does not wait for the network.
 * No compilation here: the worker compiles (off the main thread, from Chromium's code cache
 * when a previous tab left one), and a main-thread compile took ~150 ms of main-thread time
 * reading the stream. Exception handling (eh) is in every browser that runs this app; the
 * mvp build stays the fallback `selectBundle` picks.
 */
export function warmEngine(): void {
	if (warmed || typeof fetch === 'undefined') return;
	warmed = true;
	for (const url of [engineWorker, ehWorker, ehWasm]) void fetch(url).then((r) => r.arrayBuffer()).catch(() => undefined);
}
