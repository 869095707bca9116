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
 * wasm and starts compiling `wasm` as soon as the worker runs.
 */
const behind = (duckdbWorker: string, wasm: string) => `${engineWorker}?duckdb=${encodeURIComponent(duckdbWorker)}&wasm=${encodeURIComponent(wasm)}`;

export const BUNDLES = {
	mvp: { mainModule: mvpWasm, mainWorker: behind(mvpWorker, mvpWasm) },
	eh: { mainModule: ehWasm, mainWorker: behind(ehWorker, ehWasm) }
};

let early: Worker | null = null;

/**
 * Creates the engine's worker (eh build) now, so that the wasm is read and compiled while the
 * app's own scripts, the login callback and DuckDB-WASM's main-thread module load; the engine
 * takes it with `takeEarlyWorker`. Exception handling is in every browser that runs this app
 * (`selectBundle` keeps the mvp build as the fallback, with a worker of its own).
 */
export function startEarlyWorker(): void {
	if (early || typeof Worker === 'undefined') return;
	engineRequested();
	early = new Worker(BUNDLES.eh.mainWorker);
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
