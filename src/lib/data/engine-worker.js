/*
 * A classic worker in front of DuckDB-WASM's own (served as a plain asset, content-hashed).
 * DuckDB-WASM 1.28 reports download progress by piping the wasm Response through a
 * TransformStream into a new Response: that copy has no URL and no HTTP-cache entry, so
 * Chromium can neither use nor write its compiled-wasm code cache, and every tab compiles
 * 18 MB again. Without TransformStream, DuckDB-WASM hands `fetch(wasm)` itself to
 * `WebAssembly.instantiateStreaming` (docs/decisions/0030-start-up.md).
 *
 * With `wasm=<url>`, the wasm is fetched and compiled (from Chromium's code cache when a
 * previous tab left one) as soon as this worker starts, not when DuckDB-WASM's main-thread
 * module has loaded and sent its instantiate message: DuckDB-WASM's own request for that URL
 * is then answered with the module already compiled (decision 0032).
 */
'use strict';
performance.mark('engine-worker: start');
/** A classic worker's global (the project's types describe a window). */
const scope = /** @type {any} */ (self);
const params = new URL(self.location.href).searchParams;
/** A same-origin URL from this worker's query with the given extension, or null. */
const ownURL = (/** @type {string} */ name, /** @type {string} */ ext) => {
	const value = params.get(name);
	if (value === null) return null;
	const url = new URL(value, self.location.href);
	if (url.origin !== self.location.origin || !url.pathname.endsWith(ext)) {
		throw new Error(`engine worker: only a same-origin ${ext} file may be loaded`);
	}
	return url;
};
const script = ownURL('duckdb', '.js');
if (!script) throw new Error('engine worker: no DuckDB-WASM worker script given');
const wasm = ownURL('wasm', '.wasm');
if (wasm) {
	const fetchOriginal = scope.fetch.bind(scope);
	const instantiateOriginal = WebAssembly.instantiateStreaming.bind(WebAssembly);
	// A real network Response (with its URL): Chromium's compiled-code cache applies as before.
	const compiled = WebAssembly.compileStreaming(fetchOriginal(wasm.href, { credentials: 'same-origin' }));
	// User Timing in the worker's own timeline (bench/profile.ts reads it): cheap, and the engine's start is otherwise invisible.
	compiled.then(() => performance.mark('engine-worker: compiled'), () => undefined);
	/** What DuckDB-WASM's fetch of the wasm gets: a marker, the module being compiled already. */
	const marker = new Response(null);
	let handedOut = false;
	scope.fetch = (/** @type {RequestInfo | URL} */ input, /** @type {RequestInit | undefined} */ init) => {
		const url = input instanceof Request ? input.url : new URL(String(input), self.location.href).href;
		if (url !== wasm.href || handedOut) return fetchOriginal(input, init);
		handedOut = true;
		return Promise.resolve(marker);
	};
	WebAssembly.instantiateStreaming = async (source, imports) => {
		const response = await source;
		if (response !== marker) return instantiateOriginal(response, imports);
		const module = await compiled.catch(() => null);
		// The early compile failed (network): DuckDB-WASM's usual path, from the network again.
		if (!module) return instantiateOriginal(fetchOriginal(wasm.href, { credentials: 'same-origin' }), imports);
		return { module, instance: await WebAssembly.instantiate(module, imports) };
	};
}
scope.TransformStream = undefined;
// DuckDB-WASM says why it reports no progress; that is the point here.
const warn = console.warn;
console.warn = (...args) => {
	if (!String(args[0]).includes('without progress handler')) warn(...args);
};
const evaluating = performance.now();
scope.importScripts(script.href);
performance.measure('engine-worker: DuckDB-WASM worker script', { start: evaluating });

/*
 * Requests that arrive while DuckDB-WASM instantiates wait here until it has answered (its
 * dispatcher refuses them until then), so the page sends `connect` with `instantiate` instead of
 * after the instantiate's answer has crossed back through a main thread busy with the first view.
 */
const dispatch = scope.onmessage;
const post = scope.postMessage.bind(scope);
/** @type {number | null} */
let instantiating = null;
/** @type {MessageEvent[]} */
const held = [];
scope.postMessage = (/** @type {any} */ message, /** @type {Transferable[]} */ transfer) => {
	post(message, transfer);
	if (instantiating === null || message?.requestId !== instantiating || (message.type !== 'OK' && message.type !== 'ERROR')) return;
	instantiating = null;
	// After the answer is posted, in order, before any request that arrives later.
	queueMicrotask(() => {
		for (const event of held.splice(0)) void dispatch.call(scope, event);
	});
};
scope.onmessage = (/** @type {MessageEvent} */ event) => {
	if (instantiating !== null) {
		held.push(event);
		return;
	}
	if (event.data?.type === 'INSTANTIATE') instantiating = event.data.messageId;
	return dispatch.call(scope, event);
};
