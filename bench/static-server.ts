/**
 * A plain static file server, the way the naive design is hosted (any CDN or `python -m
 * http.server`): no auth, no compression, HTTP Range requests.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.json': 'application/json',
	'.wasm': 'application/wasm',
	'.parquet': 'application/vnd.apache.parquet'
};

/** A parsed single `Range: bytes=...` header, or null when the header asks for no or several ranges. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
	const m = header?.match(/^bytes=(\d*)-(\d*)$/);
	if (!m || (m[1] === '' && m[2] === '')) return null;
	let start: number;
	let end: number;
	if (m[1] === '') {
		start = Math.max(0, size - Number(m[2]));
		end = size - 1;
	} else {
		start = Number(m[1]);
		end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
	}
	return start > end || start >= size ? 'unsatisfiable' : { start, end };
}

export interface StaticServer {
	url: string;
	close(): Promise<void>;
}

/** Serves `root` on a free loopback port. Paths with `..` or NUL never leave the root. */
export async function startStaticServer(root: string): Promise<StaticServer> {
	const server = http.createServer(async (req, res) => {
		const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
		if (pathname.includes('\0') || pathname.split('/').includes('..')) {
			res.writeHead(400).end();
			return;
		}
		const file = path.join(root, pathname === '/' ? 'index.html' : pathname);
		const info = await stat(file).catch(() => null);
		if (!info?.isFile()) {
			res.writeHead(404).end();
			return;
		}
		const headers: http.OutgoingHttpHeaders = {
			'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
			'accept-ranges': 'bytes',
			'cache-control': 'no-cache',
			// Without it the engine's XHRs cannot read Content-Range/Content-Length from a worker in all cases.
			'access-control-expose-headers': 'content-length, content-range, accept-ranges'
		};
		const range = parseRange(req.headers.range, info.size);
		if (range === 'unsatisfiable') {
			res.writeHead(416, { 'content-range': `bytes */${info.size}` }).end();
			return;
		}
		const { start, end } = range ?? { start: 0, end: info.size - 1 };
		if (range) headers['content-range'] = `bytes ${start}-${end}/${info.size}`;
		headers['content-length'] = info.size === 0 ? 0 : end - start + 1;
		res.writeHead(range ? 206 : 200, headers);
		if (req.method === 'HEAD' || info.size === 0) res.end();
		else createReadStream(file, { start, end }).pipe(res);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	return {
		url: `http://127.0.0.1:${port}`,
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			})
	};
}
