/**
 * Work to start as soon as the callback route loads (e.g. warming DuckDB-WASM while the code
 * is exchanged for tokens). Other modules register with `whenCallbackRoute`.
 */
const hooks = new Set<() => void>();
let fired = false;

/** Registers `fn` to run when the callback route loads (at once when it already has). */
export function whenCallbackRoute(fn: () => void): () => void {
	hooks.add(fn);
	if (fired) fn();
	return () => hooks.delete(fn);
}

/** Called by /auth/callback: runs every registered hook once; a failing hook is only logged. */
export function onCallbackRoute(): void {
	if (fired) return;
	fired = true;
	for (const fn of hooks) {
		try {
			fn();
		} catch (error) {
			console.error('callback hook failed', error);
		}
	}
}
