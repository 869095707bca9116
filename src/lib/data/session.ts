/**
 * The data layer bound to the browser and the signed-in user: one ExtractStore fetching from
 * the gateway with the access token, the engine warmed as soon as the login callback loads.
 */
import { auth, getAccessToken, whenCallbackRoute } from '#lib/auth/index.ts';
import { ExtractStore } from './extracts.ts';
import { engineProgress } from './progress.ts';
import { warmEngine } from './engine-assets.ts';
import { startEngine } from './query.ts';

/** The user's manifest, extracts and summaries. */
export const extracts = new ExtractStore({
	fetch: (input, init) => fetch(input, init),
	getToken: getAccessToken,
	territories: () => auth.user?.territories ?? [],
	engine: startEngine,
	caches: typeof caches === 'undefined' ? null : caches,
	onProgress: (path, loaded, total) => engineProgress.download(path, loaded, total),
	onDone: (path) => engineProgress.downloaded(path)
});

/** Makes `id` and everything inside it queryable in the `extract` table (downloads at most one file). */
export function ensureScope(id: string): Promise<void> {
	return extracts.ensureScope(id);
}

// Fetching and compiling the wasm overlaps the code-for-token exchange; the engine itself
// (DuckDB-WASM's JavaScript, the worker) starts once the first view is on screen.
whenCallbackRoute(warmEngine);
