/*
 * A classic worker in front of DuckDB-WASM's own (served as a plain asset, content-hashed).
 * DuckDB-WASM 1.28 reports download progress by piping the wasm Response through a
 * TransformStream into a new Response: that copy has no URL and no HTTP-cache entry, so
 * Chromium can neither use nor write its compiled-wasm code cache, and every tab compiles
 * 18 MB again. Without TransformStream, DuckDB-WASM hands `fetch(wasm)` itself to
 * `WebAssembly.instantiateStreaming` (docs/decisions/0030-start-up.md).
 */
'use strict';
/** A classic worker's global (the project's types describe a window). */
const scope = /** @type {any} */ (self);
const script = new URL(new URL(self.location.href).searchParams.get('duckdb') ?? '', self.location.href);
if (script.origin !== self.location.origin || !script.pathname.endsWith('.js')) {
	throw new Error('engine worker: only a same-origin DuckDB-WASM worker script may be loaded');
}
scope.TransformStream = undefined;
// DuckDB-WASM says why it reports no progress; that is the point here.
const warn = console.warn;
console.warn = (...args) => {
	if (!String(args[0]).includes('without progress handler')) warn(...args);
};
scope.importScripts(script.href);
