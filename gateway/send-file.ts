/**
 * Sends one file with conditional and range support: strong ETag + If-None-Match (304),
 * a single byte range (206, or 416 when unsatisfiable; several ranges get the whole file),
 * If-Range, HEAD, and a precompressed `.br`/`.gz` sibling when the client accepts it.
 */
import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { sameMtime } from './precompress.ts';
import type { ResolvedFile } from './static-files.ts';

export interface SendOptions {
	contentType: string;
	cacheControl: string;
	/** A strong validator for the identity representation; default from size and mtime. */
	etag?: string;
	/** Look for `<file>.br` / `<file>.gz` beside the file. */
	precompressed?: boolean;
	headers?: OutgoingHttpHeaders;
	/** The file's bytes already in memory (immutable extracts): no file system access at all. */
	body?: Buffer;
}

const ENCODINGS = [
	{ name: 'br', ext: '.br' },
	{ name: 'gzip', ext: '.gz' }
] as const;

/** Sends `resolved` as the response to `req`. */
export async function sendFile(req: IncomingMessage, res: ServerResponse, resolved: ResolvedFile, opts: SendOptions): Promise<void> {
	let { file, stats } = resolved;
	const size = () => opts.body?.length ?? stats.size;
	let etag = opts.etag ?? `"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
	const headers: OutgoingHttpHeaders = {
		...opts.headers,
		'content-type': opts.contentType,
		'cache-control': opts.cacheControl,
		'accept-ranges': 'bytes'
	};
	const rangeHeader = req.headers.range;
	if (opts.precompressed && !opts.body) {
		headers.vary = appendVary(headers.vary, 'Accept-Encoding');
		// A range applies to the representation sent; ranges are served from the identity file.
		const encoding = rangeHeader ? null : await pickEncoding(file, stats.mtimeMs, req.headers['accept-encoding']);
		if (encoding) {
			file = encoding.file;
			stats = encoding.stats;
			headers['content-encoding'] = encoding.name;
			etag = `${etag.slice(0, -1)}-${encoding.name}"`;
		}
	}
	headers.etag = etag;

	if (matchesEtag(req.headers['if-none-match'], etag)) {
		res.writeHead(304, withoutBodyHeaders(headers)).end();
		return;
	}

	const total = size();
	let start = 0;
	let end = total - 1;
	let status = 200;
	const ifRange = req.headers['if-range'];
	if (rangeHeader && (!ifRange || ifRange === etag)) {
		const range = parseRange(rangeHeader, total);
		if (range === 'unsatisfiable') {
			res.writeHead(416, { ...withoutBodyHeaders(headers), 'content-range': `bytes */${total}`, 'content-length': 0 }).end();
			return;
		}
		if (range) {
			[start, end] = range;
			status = 206;
			headers['content-range'] = `bytes ${start}-${end}/${total}`;
		}
	}
	headers['content-length'] = total === 0 ? 0 : end - start + 1;
	res.writeHead(status, headers);
	if (req.method === 'HEAD' || total === 0) {
		res.end();
		return;
	}
	if (opts.body) {
		res.end(opts.body.subarray(start, end + 1));
		return;
	}
	try {
		await pipeline(createReadStream(file, { start, end }), res);
	} catch {
		res.destroy();
	}
}

async function pickEncoding(file: string, mtimeMs: number, accept: string | undefined) {
	if (!accept) return null;
	for (const { name, ext } of ENCODINGS) {
		if (!accepts(accept, name)) continue;
		try {
			// lstat: a symlinked sibling (possibly pointing out of the root) is never followed.
			const stats = await lstat(file + ext);
			// precompress.ts stamps a sibling with its source's mtime; any other is stale.
			if (stats.isFile() && sameMtime(stats.mtimeMs, mtimeMs)) return { name, file: file + ext, stats };
		} catch {
			// no precompressed sibling for this encoding
		}
	}
	return null;
}

/** True when an Accept-Encoding header allows `coding` (q > 0, explicitly or through `*`). */
export function accepts(header: string, coding: string): boolean {
	let star: boolean | null = null;
	for (const part of header.toLowerCase().split(',')) {
		const [name, ...params] = part.trim().split(';');
		const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
		const allowed = !q || Number(q[1]) > 0;
		if (name.trim() === coding) return allowed;
		if (name.trim() === '*') star = allowed;
	}
	return star === true;
}

/**
 * A single `bytes=` range as inclusive [start, end], null when the header should be ignored
 * (malformed, or several ranges: RFC 9110 lets a server send the whole representation), or
 * 'unsatisfiable'.
 */
export function parseRange(header: string, size: number): [number, number] | null | 'unsatisfiable' {
	const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
	if (!match || (match[1] === '' && match[2] === '')) return null;
	if (match[1] === '') {
		const suffix = Number(match[2]);
		if (suffix === 0 || size === 0) return 'unsatisfiable';
		return [Math.max(0, size - suffix), size - 1];
	}
	const start = Number(match[1]);
	const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
	if (match[2] !== '' && Number(match[2]) < start) return null;
	if (start >= size) return 'unsatisfiable';
	return [start, end];
}

function matchesEtag(header: string | undefined, etag: string): boolean {
	if (!header) return false;
	if (header.trim() === '*') return true;
	// Weak comparison, as RFC 9110 requires for If-None-Match.
	return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

function withoutBodyHeaders(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
	const { 'content-type': _t, 'content-length': _l, 'content-encoding': _e, ...rest } = headers;
	return rest;
}

/** Adds a field name to a Vary header value. */
export function appendVary(vary: OutgoingHttpHeaders['vary'], name: string): string {
	const current = vary === undefined ? '' : String(vary);
	return current ? `${current}, ${name}` : name;
}
