/** Safe static file resolution: no path ever escapes the root (traversal, encodings, symlinks). */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Resolves a URL pathname to a regular file inside `root`, or null. Rejects anything that,
 * once decoded, contains `..` segments, backslashes or NUL bytes, and follows symlinks only
 * when their target stays inside the root.
 */
export async function resolveInside(root: string, urlPath: string): Promise<string | null> {
	let decoded: string;
	try {
		decoded = decodeURIComponent(urlPath);
	} catch {
		return null;
	}
	if (decoded.includes('\0') || decoded.includes('\\')) return null;
	const segments = decoded.split('/').filter((s) => s !== '');
	if (segments.some((s) => s === '..' || s === '.')) return null;
	const realRoot = await realpath(root);
	const candidate = path.join(realRoot, ...segments);
	try {
		const real = await realpath(candidate);
		if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return null;
		const info = await stat(real);
		return info.isFile() ? real : null;
	} catch {
		return null;
	}
}
