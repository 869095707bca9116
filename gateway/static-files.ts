/** Safe static file resolution: no path ever escapes the root (traversal, encodings, symlinks). */
import { realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';

/**
 * The decoded segments of a raw request target, or null when it is not a plain origin-form
 * path or, once decoded, holds `.`/`..` segments, backslashes, NUL or control characters.
 * Empty segments (`//`) are dropped: the canonical form is what both the access rule and the
 * file lookup see, so they can never disagree. The WHATWG URL parser is deliberately not used:
 * it would resolve `%2e%2e` and `\` before we could refuse them.
 */
export function requestSegments(rawUrl: string): string[] | null {
	const end = rawUrl.search(/[?#]/);
	const rawPath = end === -1 ? rawUrl : rawUrl.slice(0, end);
	if (!rawPath.startsWith('/') || rawPath.includes('\\')) return null;
	let decoded: string;
	try {
		decoded = decodeURIComponent(rawPath);
	} catch {
		return null;
	}
	// eslint-disable-next-line no-control-regex
	if (/[\u0000-\u001f\u007f\\]/.test(decoded)) return null;
	const segments = decoded.split('/').filter((s) => s !== '');
	if (segments.some((s) => s === '.' || s === '..')) return null;
	return segments;
}

export interface ResolvedFile {
	file: string;
	stats: Stats;
}

/**
 * Resolves canonical segments to a regular file inside `root`, or null. Follows symlinks only
 * when their real target stays inside the (real) root.
 */
export async function resolveInside(root: string, segments: readonly string[]): Promise<ResolvedFile | null> {
	try {
		const realRoot = await realpath(root);
		const real = await realpath(path.join(realRoot, ...segments));
		if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return null;
		const stats = await stat(real);
		return stats.isFile() ? { file: real, stats } : null;
	} catch {
		return null;
	}
}

const TYPES: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json',
	'.map': 'application/json',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.ico': 'image/x-icon',
	'.txt': 'text/plain; charset=utf-8',
	'.wasm': 'application/wasm',
	'.woff2': 'font/woff2',
	'.woff': 'font/woff',
	'.parquet': 'application/vnd.apache.parquet',
	'.topojson': 'application/json'
};

/** The Content-Type of a file by its extension. */
export function contentTypeOf(file: string): string {
	return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}
