/**
 * The data layer bound to the browser and the signed-in user: one ExtractStore fetching from
 * the gateway with the access token, the engine started as soon as the login callback loads.
 */
import type { Manifest, TerritoryId } from '#contracts';
import { appConfig, auth, getAccessToken, whenCallbackRoute } from '#lib/auth/index.ts';
import type { Engine } from './engine.ts';
import { startEarlyWorker } from './engine-assets.ts';
import { ExtractStore } from './extracts.ts';
import { firstViewPaths, publishedData } from './first-view.ts';
import { engineProgress } from './progress.ts';
import { startEngine } from './query.ts';
import { homeTerritory } from '#lib/state/territory.ts';
import { SEEN_VERSION } from './stored.ts';

/** Views waiting for a file to reach the engine, by the file's sha256. */
const waiting = new Map<string, (name: string) => Promise<unknown>>();

/**
 * The engine as the store sees it: once a file is registered, a view waiting for it queries
 * it first (`beforeTable`), then the store builds its table from it. Building the table of a
 * Regione takes ~0.9 s in the worker; the first chart needs ~1% of its rows.
 */
function storeEngine(): Promise<Engine> {
	return startEngine().then((engine) => ({
		...engine,
		async registerFile(name: string, bytes: Uint8Array) {
			await engine.registerFile(name, bytes);
			for (const [sha, run] of waiting) {
				if (!name.startsWith(sha)) continue;
				waiting.delete(sha);
				await run(name).catch(() => undefined);
			}
		}
	}));
}

/** The user's manifest, extracts and summaries. */
export const extracts = new ExtractStore({
	fetch: (input, init) => fetch(input, init),
	getToken: getAccessToken,
	territories: () => auth.user?.territories ?? [],
	engine: storeEngine,
	caches: typeof caches === 'undefined' ? null : caches,
	// The home territory (a link with `?t=` asks for its own when the view loads).
	firstView: () => [homeTerritory(auth.user?.territories)],
	onProgress: (path, loaded, total) => engineProgress.download(path, loaded, total),
	onDone: (path) => engineProgress.downloaded(path)
});

/** The last published version this browser read a manifest of (its first view's summaries are then in the Cache API). */
const storage = (): Storage | null => {
	try {
		return typeof localStorage === 'undefined' ? null : localStorage;
	} catch {
		return null; // storage disabled
	}
};
extracts.onManifest((m) => {
	try {
		storage()?.setItem(SEEN_VERSION, m.version);
	} catch {
		// full or disabled: the next visit requests its summaries early again, nothing worse
	}
});

/**
 * The signed-in user's data, started: the manifest, and beside it — when this browser has not
 * seen the published version yet, so its Cache API cannot hold them — the first view's
 * summaries, whose paths `/config.json`'s version gives before the manifest does (decision 0032).
 */
export function startData(): Promise<Manifest> {
	void appConfig().then(
		(config) => {
			const data = publishedData(config);
			if (!data || storage()?.getItem(SEEN_VERSION) === data.version) return;
			for (const path of firstViewPaths(data, homeTerritory(auth.user?.territories))) extracts.early(path);
		},
		() => undefined
	);
	return extracts.manifest();
}

/** Makes `id` and everything inside it queryable in the `extract` table (downloads at most one file). */
export function ensureScope(id: TerritoryId): Promise<void> {
	return extracts.ensureScope(id);
}

/**
 * Makes `id` queryable like `ensureScope`, and when that means loading its file, runs `fn` on
 * the file as registered in the engine (its name, for `read_parquet`) before the `extract`
 * table is built from it. Resolves with `fn`'s result, or null when the table already had (or
 * now has) the rows: query the table then. The table keeps loading in the background.
 */
export async function beforeTable<T>(id: TerritoryId, fn: (file: string) => Promise<T>): Promise<T | null> {
	const file = await extracts.fileFor(id);
	if (!file) return ensureScope(id).then(() => null);
	const direct = new Promise<T | null>((resolve) => {
		waiting.set(file.sha256, (name) => {
			const work = fn(name);
			work.then(resolve, () => resolve(null));
			return work;
		});
	});
	const loaded = ensureScope(id).then(() => null);
	loaded.catch(() => undefined); // when `direct` wins, a later failure is the table's, reported by its own users
	try {
		return (await Promise.race([direct, loaded])) ?? (await loaded);
	} finally {
		waiting.delete(file.sha256);
	}
}

// The cache is opened and listed while the page boots, off the first view's path.
extracts.warmCache();

// The engine (worker, wasm compile, database) starts while the code is exchanged for tokens:
// the main thread is idle then, and the compile runs on the worker's background threads. Its
// worker, which reads and compiles the wasm, starts with this module, before the callback
// route has mounted and DuckDB-WASM's main-thread module has loaded (decision 0032).
if (typeof location !== 'undefined' && location.pathname.startsWith('/auth/callback')) startEarlyWorker();
whenCallbackRoute(() => void startEngine().catch(() => undefined));
