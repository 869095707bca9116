/**
 * The extract gateway: serves the built app freely and `/extracts/` only to a bearer token
 * whose scope covers the requested file. This first version serves the app (with the SPA
 * fallback); the token check for extracts is added by the access work.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { resolveInside } from './static-files.ts';

export interface GatewayOptions {
	/** The built app (adapter-static output). */
	appDir: string;
	port: number;
	host?: string;
	/** Served as `/config.json` for the app: `{issuer, client_id, audience, scopes}`. */
	config?: GatewayAppConfig;
}

/** The OIDC settings the app reads from `/config.json`. */
export interface GatewayAppConfig {
	issuer: string;
	client_id: string;
	audience: string;
	scopes: string;
}

const TYPES: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json',
	'.svg': 'image/svg+xml',
	'.wasm': 'application/wasm',
	'.woff2': 'font/woff2',
	'.parquet': 'application/vnd.apache.parquet'
};

/** Starts the gateway; resolves with the server once it listens. */
export async function startGateway(opts: GatewayOptions): Promise<http.Server> {
	const server = http.createServer(async (req, res) => {
		const url = new URL(req.url ?? '/', 'http://gateway.invalid');
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			res.writeHead(405, { allow: 'GET, HEAD' }).end();
			return;
		}
		if (url.pathname === '/config.json' && opts.config) {
			const body = JSON.stringify(opts.config);
			res.writeHead(200, {
				'content-type': 'application/json',
				'content-length': Buffer.byteLength(body),
				'cache-control': 'no-cache',
				'x-content-type-options': 'nosniff'
			});
			res.end(req.method === 'HEAD' ? undefined : body);
			return;
		}
		const file =
			(await resolveInside(opts.appDir, url.pathname)) ??
			(path.extname(url.pathname) === '' ? path.join(opts.appDir, 'index.html') : null);
		if (!file) {
			res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
			return;
		}
		const info = await stat(file);
		res.writeHead(200, {
			'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
			'content-length': info.size,
			'x-content-type-options': 'nosniff'
		});
		if (req.method === 'HEAD') res.end();
		else createReadStream(file).pipe(res);
	});
	await new Promise<void>((resolve) => server.listen(opts.port, opts.host ?? '127.0.0.1', resolve));
	return server;
}
