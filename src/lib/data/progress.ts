/**
 * What the loading indicator shows: the engine's wasm bytes, the extracts' bytes, and the last
 * error. A `svelte/store` rather than runes so the data layer stays plain TypeScript that
 * Node tests import without the Svelte compiler.
 */
import { writable, type Readable } from 'svelte/store';

export interface Progress {
	engine: 'idle' | 'loading' | 'ready' | 'error';
	engineBytes: { loaded: number; total: number };
	/** Extract downloads in flight, by path. */
	downloads: Record<string, { loaded: number; total: number }>;
	error: string | null;
}

const initial: Progress = { engine: 'idle', engineBytes: { loaded: 0, total: 0 }, downloads: {}, error: null };
const store = writable<Progress>(initial);

/** Updates the loading state; read it with `$progress` in components. */
export const engineProgress = {
	wasm(loaded: number, total: number) {
		store.update((p) => ({ ...p, engine: 'loading', engineBytes: { loaded, total } }));
	},
	ready() {
		store.update((p) => ({ ...p, engine: 'ready' }));
	},
	fail(err: unknown) {
		store.update((p) => ({ ...p, engine: 'error', error: err instanceof Error ? err.message : String(err) }));
	},
	download(path: string, loaded: number, total: number) {
		store.update((p) => ({ ...p, downloads: { ...p.downloads, [path]: { loaded, total } } }));
	},
	downloaded(path: string) {
		store.update((p) => {
			const { [path]: _, ...rest } = p.downloads;
			return { ...p, downloads: rest };
		});
	}
};

/** The loading state as a readable store. */
export const progress: Readable<Progress> = { subscribe: store.subscribe };
