/**
 * The extract gateway: serves the built app freely and `/extracts/**` only to a bearer JWT
 * access token whose territories reach the requested file in the CURRENT manifest
 * (docs/gateway.md). Stateless: the token is verified against the provider's JWKS.
 */
import { createHash } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { brotliCompressSync, constants as zlibConstants } from 'node:zlib';
import type { JWSAlgorithm, JWTVerifyGetKey } from 'jose';
import { bearerToken, createTokenVerifier, decideExtract, filterManifest, type Access } from './authorize.ts';
import { extractCache } from './extract-cache.ts';
import { manifestStore, type CurrentManifest } from './manifest-store.ts';
import { precompressDir } from './precompress.ts';
import { BASE_HEADERS, contentSecurityPolicy, htmlPolicyCache } from './security-headers.ts';
import { accepts, sendFile } from './send-file.ts';
import { contentTypeOf, requestSegments, resolveInside } from './static-files.ts';

export interface GatewayOptions {
	/** The built app (adapter-static output). */
	appDir: string;
	/** The published extracts (holds `manifest.json`); without it `/extracts/**` is 404. */
	extractsDir?: string;
	port: number;
	host?: string;
	/** Served as `/config.json` for the app: `{issuer, client_id, audience, scopes}`. */
	config?: GatewayAppConfig;
	/** Token issuer; defaults to `config.issuer`. */
	issuer?: string;
	/** The provider's JWKS; defaults to `<issuer>/jwks`. Or pass `jwks` (a jose key resolver). */
	jwksUrl?: string;
	jwks?: JWTVerifyGetKey;
	/** Access-token audience; defaults to `config.audience`, then `cruscotto-extracts`. */
	audience?: string;
	algorithms?: JWSAlgorithm[];
	/** Writes `.br`/`.gz` siblings of the app's large assets in the background after start. */
	precompress?: boolean;
	/** Benchmark baseline only: serves extracts with NO token check. Never in a deployment. */
	unsafeNoAuth?: boolean;
}

/** The OIDC settings the app reads from `/config.json`. */
export interface GatewayAppConfig {
	issuer: string;
	client_id: string;
	audience: string;
	scopes: string;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
// Extracts are per-user: `private` keeps shared caches (proxies, CDNs) from storing them,
// which `public` would explicitly allow even for requests carrying Authorization.
const EXTRACT_IMMUTABLE = 'private, max-age=31536000, immutable';
const TEXT = { 'content-type': 'text/plain; charset=utf-8' };

/** Starts the gateway; resolves with the server once it listens. */
export async function startGateway(opts: GatewayOptions): Promise<http.Server> {
	const issuer = opts.issuer ?? opts.config?.issuer;
	// ID tokens are refused only because their audience is the client id: were the two equal, an ID
	// token (sent in logout URLs as id_token_hint, so in browser history and provider logs) would open
	// the extracts for as long as it lives.
	if (opts.config && (opts.audience ?? opts.config.audience) === opts.config.client_id) {
		throw new Error('gateway: the access-token audience must differ from the client id (ID tokens would be accepted)');
	}
	const verify =
		issuer && (opts.jwks || opts.jwksUrl || opts.config)
			? createTokenVerifier({
					issuer,
					jwks: opts.jwks,
					jwksUrl: opts.jwks ? undefined : (opts.jwksUrl ?? new URL('jwks', issuer.endsWith('/') ? issuer : issuer + '/')),
					audience: opts.audience ?? opts.config?.audience,
					algorithms: opts.algorithms
				})
			: null;
	const manifest = opts.extractsDir ? manifestStore(opts.extractsDir) : null;
	const extracts = opts.extractsDir ? extractCache(opts.extractsDir) : null;
	const htmlPolicy = htmlPolicyCache(issuer);
	const defaultPolicy = contentSecurityPolicy(issuer);
	const OPEN: Access = { role: 'ministero', territories: ['it'], accredited: true, exp: Infinity };

	// The filtered manifest per set of territories, for the current version only: filtering and
	// serialising a Regione's 3,200 entries took 40-180 ms on the first view's path, and every
	// user of that Regione gets the same bytes. At most the last 64 sets of territories are kept.
	const MAX_FILTERED = 64;
	let filteredKey = '';
	const filtered = new Map<string, { json: Buffer; br: Buffer | null }>();
	function filteredManifest(current: CurrentManifest, access: Access, br: boolean): Buffer {
		if (filteredKey !== current.key) {
			filtered.clear();
			filteredKey = current.key;
		}
		const id = hashTerritories(access.territories);
		let entry = filtered.get(id);
		if (!entry) {
			if (filtered.size >= MAX_FILTERED) filtered.delete(filtered.keys().next().value!);
			entry = { json: Buffer.from(JSON.stringify(filterManifest(current.manifest, access))), br: null };
			filtered.set(id, entry);
		}
		if (!br) return entry.json;
		return (entry.br ??= brotliCompressSync(entry.json, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1 } }));
	}

	async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		for (const [k, v] of Object.entries(BASE_HEADERS)) res.setHeader(k, v as string);
		res.setHeader('content-security-policy', defaultPolicy);
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			res.writeHead(405, { ...TEXT, allow: 'GET, HEAD' }).end('Method not allowed');
			return;
		}
		const segments = requestSegments(req.url ?? '');
		if (!segments) {
			res.writeHead(400, TEXT).end('Bad request');
			return;
		}
		if (segments[0] === 'extracts') return serveExtract(req, res, segments.slice(1));
		if (segments.length === 2 && segments[0] === 'auth' && segments[1] === 'clear') {
			// The app asks for this on logout: the browser empties the origin's HTTP cache (the
			// extracts are cached `private, immutable` for a year), so a shared computer keeps no data.
			res.writeHead(204, { 'clear-site-data': '"cache"', 'cache-control': 'no-store' }).end();
			return;
		}
		if (segments.length === 1 && segments[0] === 'config.json' && opts.config) {
			// The published version lets the app request the first view's summaries beside the manifest,
			// not after it (decision 0032). Not a secret: a folder name; every file in it is still checked.
			const current = manifest ? await manifest() : null;
			const data = current ? { version: current.manifest.version, schema_version: current.manifest.schema_version } : undefined;
			const body = JSON.stringify({ ...opts.config, data });
			res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache' });
			res.end(req.method === 'HEAD' ? undefined : body);
			return;
		}
		return serveApp(req, res, segments);
	}

	async function serveApp(req: http.IncomingMessage, res: http.ServerResponse, segments: string[]): Promise<void> {
		let resolved = await resolveInside(opts.appDir, segments);
		// SPA fallback: extension-less paths are client routes (/auth/callback, /confronto).
		if (!resolved && path.extname(segments.at(-1) ?? '') === '') resolved = await resolveInside(opts.appDir, ['index.html']);
		// The app side never serves a file of the extracts, whatever other name reaches it (extracts kept
		// inside appDir and a symlink to them, or `/Extracts/` on a case-insensitive file system).
		if (resolved && opts.extractsDir && (await isInside(resolved.file, opts.extractsDir))) resolved = null;
		if (!resolved) {
			res.writeHead(404, { ...TEXT, 'cache-control': 'no-cache' }).end('Not found');
			return;
		}
		const isHtml = resolved.file.endsWith('.html');
		if (isHtml) res.setHeader('content-security-policy', await htmlPolicy(resolved.file, resolved.stats.mtimeMs));
		await sendFile(req, res, resolved, {
			contentType: contentTypeOf(resolved.file),
			cacheControl: segments[0] === '_app' && segments[1] === 'immutable' ? IMMUTABLE : 'no-cache',
			precompressed: true
		});
	}

	async function serveExtract(req: http.IncomingMessage, res: http.ServerResponse, rel: string[]): Promise<void> {
		res.setHeader('vary', 'Authorization');
		let access: Access | null = OPEN;
		if (!opts.unsafeNoAuth) {
			const token = bearerToken(req.headers.authorization);
			access = token && verify ? await verify(token) : null;
			if (!access) {
				const error = token ? ', error="invalid_token"' : '';
				res.writeHead(401, { ...TEXT, 'www-authenticate': `Bearer realm="cruscotto"${error}`, 'cache-control': 'no-store' }).end('Unauthorized');
				return;
			}
		}
		const current = manifest ? await manifest() : null;
		if (!current) {
			res.writeHead(404, { ...TEXT, 'cache-control': 'no-store' }).end('Not found');
			return;
		}
		if (rel.length === 1 && rel[0] === 'manifest.json') {
			if (!access.accredited) return forbidden(res);
			// A Regione's manifest is ~0.7 MB of JSON on the first view's path: brotli quality 1 makes it
			// ~150 KB in ~7 ms (higher qualities gain 1% for 2-40x the time).
			const br = accepts(req.headers['accept-encoding'] ?? '', 'br');
			const etag = `"${current.key}-${hashTerritories(access.territories)}${br ? '-br' : ''}"`;
			const headers = { 'content-type': 'application/json', 'cache-control': 'private, no-cache', vary: 'Authorization, Accept-Encoding', etag };
			// Revalidation (every page load) answers before filtering and serialising the manifest.
			if (req.headers['if-none-match']?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
				res.writeHead(304, { 'cache-control': headers['cache-control'], vary: headers.vary, etag }).end();
				return;
			}
			const sent = filteredManifest(current, access, br);
			res.writeHead(200, { ...headers, ...(br ? { 'content-encoding': 'br' } : {}), 'content-length': sent.length });
			res.end(req.method === 'HEAD' ? undefined : sent);
			return;
		}
		const decision = decideExtract(access, rel.join('/'), current.files);
		if (decision.status === 403) return forbidden(res);
		const cached = decision.status === 200 ? await extracts!(decision.file, rel) : null;
		if (!cached || decision.status !== 200) {
			// Listed but missing on disk, or not the published bytes: a publishing fault.
			res.writeHead(404, { ...TEXT, 'cache-control': 'no-store' }).end('Not found');
			return;
		}
		// A compressed sibling only for whole-file requests: a range applies to the identity bytes.
		const br = cached.br && !req.headers.range && accepts(req.headers['accept-encoding'] ?? '', 'br');
		if (cached.br) res.setHeader('vary', 'Authorization, Accept-Encoding');
		await sendFile(req, res, cached.resolved, {
			contentType: contentTypeOf(cached.resolved.file),
			cacheControl: EXTRACT_IMMUTABLE,
			etag: `"${decision.file.sha256}${br ? '-br' : ''}"`,
			body: br ? cached.br : cached.body,
			headers: br ? { 'content-encoding': 'br' } : undefined
		});
	}

	const server = http.createServer((req, res) => {
		handle(req, res).catch(() => {
			if (!res.headersSent) res.writeHead(500, TEXT).end('Internal error');
			else res.destroy();
		});
	});
	// a port taken (EADDRINUSE) rejects, instead of an 'error' event nobody listens to
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
			server.off('error', reject);
			resolve();
		});
	});
	if (opts.precompress) {
		precompressDir(opts.appDir).catch((err: unknown) => console.error('gateway: precompress failed:', err));
	}
	return server;
}

/** True when the real path `file` lies inside the real directory `dir` (false when `dir` does not exist). */
async function isInside(file: string, dir: string): Promise<boolean> {
	const real = await realpath(dir).catch(() => null);
	return real !== null && (file === real || file.startsWith(real + path.sep));
}

function forbidden(res: http.ServerResponse): void {
	// One body for every refusal: nothing about the file or other territories.
	res.writeHead(403, { ...TEXT, 'cache-control': 'no-store' }).end('Forbidden');
}

function hashTerritories(territories: readonly string[]): string {
	return createHash('sha256').update([...territories].sort().join(',')).digest('base64url').slice(0, 22);
}
