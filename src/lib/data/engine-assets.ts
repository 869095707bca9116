/**
 * The engine's files, served from the app's origin (Vite `?url`: content-hashed under
 * `_app/immutable/`). A tiny module on purpose: importing it does not evaluate DuckDB-WASM.
 */
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import mvpWasm from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';
import mvpWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-mvp.worker.js?url';

export const BUNDLES = {
	mvp: { mainModule: mvpWasm, mainWorker: mvpWorker },
	eh: { mainModule: ehWasm, mainWorker: ehWorker }
};

let warmed = false;

/**
 * Downloads the wasm and the worker script and compiles the wasm in the background, without
 * evaluating DuckDB-WASM's JavaScript on the main thread (that would delay the first view).
 * Streaming compilation runs off the main thread, and Chromium keeps the compiled code in its
 * code cache for the worker's own compile later. Exception handling (eh) is in every
 * browser that runs this app; the mvp build stays the fallback `selectBundle` picks.
 */
export function warmEngine(): void {
	if (warmed || typeof fetch === 'undefined') return;
	warmed = true;
	void fetch(ehWorker).then((r) => r.arrayBuffer()).catch(() => undefined);
	if (typeof WebAssembly.compileStreaming === 'function') void WebAssembly.compileStreaming(fetch(ehWasm)).catch(() => undefined);
	else void fetch(ehWasm).then((r) => r.arrayBuffer()).catch(() => undefined);
}
