/**
 * The current published manifest, re-read only when `manifest.json` changes. A publish
 * replaces the file by atomic rename, so (inode, size, mtime) changes with every version;
 * one `stat` per request is the whole cost of staying current.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Manifest, ManifestFile } from '../contracts/manifest.ts';
import { indexManifest } from './authorize.ts';

export interface CurrentManifest {
	manifest: Manifest;
	files: Map<string, ManifestFile>;
	/** Changes with every published version (used in ETags of the filtered manifest). */
	key: string;
}

/** Returns a function that yields the current manifest, or null when none is published. */
export function manifestStore(extractsDir: string): () => Promise<CurrentManifest | null> {
	const file = path.join(extractsDir, 'manifest.json');
	let current: CurrentManifest | null = null;
	let loading: Promise<CurrentManifest | null> | null = null;

	async function load(): Promise<CurrentManifest | null> {
		let key: string;
		try {
			const s = await stat(file);
			key = `${s.ino.toString(36)}-${s.size.toString(36)}-${Math.floor(s.mtimeMs).toString(36)}`;
		} catch {
			return (current = null);
		}
		if (current?.key === key) return current;
		try {
			const manifest = JSON.parse(await readFile(file, 'utf8')) as Manifest;
			if (!Array.isArray(manifest.files)) throw new Error('manifest.json has no files array');
			current = { manifest, files: indexManifest(manifest), key };
		} catch {
			// A manifest that does not parse publishes nothing: fail closed.
			current = null;
		}
		return current;
	}

	return () => {
		// Concurrent requests share one stat (and at most one parse).
		loading ??= load().finally(() => {
			loading = null;
		});
		return loading;
	};
}
