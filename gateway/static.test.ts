import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { precompressDir } from './precompress.ts';
import { startGateway } from './server.ts';
import { FIXTURE_VERSION, makeExtractsFixture, mintToken, startTestIssuer, type TestIssuer } from './testing.ts';

let root: string;
let app: string;
let issuer: TestIssuer;
let gateway: http.Server;
let port: number;
let base: string;
let bearer: string;

const INDEX = '<!doctype html><html><body><script>\n\tboot();\n</script><p>Cruscotto</p></body></html>';
const BIG_JS = 'export const table = ' + JSON.stringify(Array.from({ length: 4000 }, (_, i) => `riga ${i}`)) + ';\n';

beforeAll(async () => {
	root = await mkdtemp(path.join(tmpdir(), 'gateway-static-'));
	app = path.join(root, 'build');
	await mkdir(path.join(app, '_app/immutable/chunks'), { recursive: true });
	await writeFile(path.join(app, 'index.html'), INDEX);
	await writeFile(path.join(app, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
	await writeFile(path.join(app, '_app/immutable/chunks/big.js'), BIG_JS);
	await writeFile(path.join(app, '_app/immutable/chunks/tiny.js'), 'export {};\n');
	await writeFile(path.join(root, 'secret.txt'), 'TOP SECRET outside the root\n');
	await symlink(path.join(root, 'secret.txt'), path.join(app, 'leak.js'));
	await symlink(root, path.join(app, 'up'));
	await precompressDir(app);
	const { dir } = await makeExtractsFixture(root);
	issuer = await startTestIssuer();
	gateway = await startGateway({
		appDir: app,
		extractsDir: dir,
		port: 0,
		jwksUrl: issuer.jwksUrl,
		config: { issuer: issuer.issuer, client_id: 'cruscotto', audience: 'cruscotto-extracts', scopes: 'openid profile' }
	});
	port = (gateway.address() as AddressInfo).port;
	base = `http://127.0.0.1:${port}`;
	bearer = await mintToken(issuer.privateKey, { issuer: issuer.issuer, territories: ['c:028001'] });
});
afterAll(async () => {
	await new Promise((resolve) => gateway?.close(resolve));
	await issuer?.close();
	await rm(root, { recursive: true, force: true });
});

/** Sends a request target byte for byte (fetch and http.request would normalise it). */
function raw(target: string, headers = ''): Promise<{ status: number; body: string }> {
	return new Promise((resolve, reject) => {
		const socket = net.connect(port, '127.0.0.1', () => {
			socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${headers}\r\n`);
		});
		let data = '';
		socket.on('data', (d) => (data += d.toString('latin1')));
		socket.on('error', reject);
		socket.on('end', () => resolve({ status: Number(data.split(' ')[1]), body: data.split('\r\n\r\n').slice(1).join('\r\n\r\n') }));
	});
}

describe('nothing escapes the root', () => {
	const attacks = [
		'/../secret.txt',
		'/%2e%2e/secret.txt',
		'/%2E%2E/secret.txt',
		'/.%2e/secret.txt',
		'/_app/../../secret.txt',
		'/_app/%2e%2e/%2e%2e/secret.txt',
		'/..%2fsecret.txt',
		'/..%2Fsecret.txt',
		'/%252e%252e/secret.txt',
		'/..\\secret.txt',
		'/%5c..%5csecret.txt',
		'//..//secret.txt',
		'/secret.txt%00.js',
		'/leak.js',
		'/up/secret.txt',
		'/extracts/../secret.txt',
		'/extracts/%2e%2e/secret.txt',
		`/extracts/${FIXTURE_VERSION}/..%2f..%2fsecret.txt`,
		'/extracts/..%5c..%5csecret.txt',
		'http://127.0.0.1/../secret.txt'
	];
	for (const target of attacks) {
		test(target, async () => {
			const plain = await raw(target);
			const authed = await raw(target, `Authorization: Bearer ${bearer}\r\n`);
			for (const res of [plain, authed]) {
				expect(res.body).not.toContain('TOP SECRET');
				expect([400, 401, 403, 404]).toContain(res.status);
			}
		});
	}

	test('double slashes collapse to the same file under the same rule', async () => {
		const res = await fetch(`${base}/extracts//${FIXTURE_VERSION}//ats//X05002.parquet`, { headers: { authorization: `Bearer ${bearer}` } });
		expect(res.status).toBe(403);
		expect((await raw(`//_app//immutable/chunks/tiny.js`)).status).toBe(200);
	});
});

describe('the app', () => {
	test('SPA fallback for extension-less paths, 404 for missing files', async () => {
		const deep = await fetch(`${base}/confronto/regioni?x=1`);
		expect(deep.status).toBe(200);
		expect(await deep.text()).toBe(INDEX);
		expect((await fetch(`${base}/missing.js`)).status).toBe(404);
	});

	test('config.json carries the OIDC settings and the published version, never cached without revalidation', async () => {
		const res = await fetch(`${base}/config.json`);
		expect(res.headers.get('cache-control')).toBe('no-cache');
		const body = (await res.json()) as { data: { version: string; schema_version: number } };
		expect(body).toMatchObject({ issuer: issuer.issuer, client_id: 'cruscotto', audience: 'cruscotto-extracts', scopes: 'openid profile' });
		expect(body.data.version).toBe(FIXTURE_VERSION);
		expect(body.data.schema_version).toBe(1); // the fixture manifest's
	});

	test('security headers; the CSP allows the page inline script by hash and the issuer', async () => {
		const res = await fetch(`${base}/`);
		const csp = res.headers.get('content-security-policy') ?? '';
		expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'/);
		expect(csp).toContain(`connect-src 'self' ${issuer.issuer}`);
		expect(csp).toContain("worker-src 'self' blob:");
		expect(csp).toContain("frame-ancestors 'none'");
		expect(csp).not.toContain(" 'unsafe-eval'");
		expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
		const hash = createHash('sha256').update('\n\tboot();\n').digest('base64');
		expect(csp).toContain(`'sha256-${hash}'`);
		expect(res.headers.get('x-content-type-options')).toBe('nosniff');
		expect(res.headers.get('referrer-policy')).toBe('no-referrer');
		expect(res.headers.get('cache-control')).toBe('no-cache');
		// Ignored by browsers over plain http (the demo), binding once served over https.
		expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
	});

	test('/auth/clear (asked for by the app on logout) tells the browser to empty its HTTP cache of this origin', async () => {
		const res = await fetch(`${base}/auth/clear`);
		expect(res.status).toBe(204);
		expect(res.headers.get('clear-site-data')).toBe('"cache"');
		expect(res.headers.get('cache-control')).toBe('no-store');
		// any other path under /auth is still the app (its client routes)
		const page = await fetch(`${base}/auth/logout`);
		expect(page.status).toBe(200);
		expect(page.headers.get('clear-site-data')).toBeNull();
	});

	test('hashed assets are immutable; precompressed siblings are sent when accepted', async () => {
		const url = `${base}/_app/immutable/chunks/big.js`;
		const br = await fetch(url, { headers: { 'accept-encoding': 'br' } });
		expect(br.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
		expect(br.headers.get('content-encoding')).toBe('br');
		expect(br.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
		expect(br.headers.get('vary')).toContain('Accept-Encoding');
		expect(await br.text()).toBe(BIG_JS); // fetch decodes it
		const gz = await raw('/_app/immutable/chunks/big.js', 'Accept-Encoding: gzip;q=1, br;q=0\r\n');
		expect(zlib.gunzipSync(Buffer.from(gz.body, 'latin1')).toString()).toBe(BIG_JS);
		const plain = await raw('/_app/immutable/chunks/big.js', 'Accept-Encoding: identity\r\n');
		expect(plain.body).toBe(BIG_JS);
		const head = await fetch(url, { method: 'HEAD', headers: { 'accept-encoding': 'gzip' } });
		expect(Number(head.headers.get('content-length'))).toBe(zlib.gzipSync(BIG_JS, { level: 9 }).length);
	});

	test('a rebuilt file is never answered with its stale compressed sibling', async () => {
		const file = path.join(app, '_app/immutable/chunks/rebuilt.js');
		await writeFile(file, BIG_JS);
		await precompressDir(app);
		await writeFile(file, BIG_JS.replace('riga', 'RIGA'));
		const res = await fetch(`${base}/_app/immutable/chunks/rebuilt.js`, { headers: { 'accept-encoding': 'br, gzip' } });
		expect(res.headers.get('content-encoding')).toBe(null);
		expect(await res.text()).toContain('RIGA 0');
	});
});

describe('HEAD, Range and ETag on an extract', () => {
	const file = `/extracts/${FIXTURE_VERSION}/comune/028001.parquet`;
	const auth = () => ({ authorization: `Bearer ${bearer}` });

	test('HEAD gives the length and no body; GET has a strong ETag and private immutable caching', async () => {
		const get = await fetch(base + file, { headers: auth() });
		const body = Buffer.from(await get.arrayBuffer());
		const head = await fetch(base + file, { method: 'HEAD', headers: auth() });
		expect(head.status).toBe(200);
		expect(Number(head.headers.get('content-length'))).toBe(body.length);
		expect(get.headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/);
		expect(get.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
		expect(get.headers.get('vary')).toContain('Authorization');
		const again = await fetch(base + file, { headers: { ...auth(), 'if-none-match': get.headers.get('etag')! } });
		expect(again.status).toBe(304);
		expect((await again.arrayBuffer()).byteLength).toBe(0);
	});

	test('single ranges give 206, unsatisfiable ones 416', async () => {
		const full = Buffer.from(await (await fetch(base + file, { headers: auth() })).arrayBuffer());
		const part = await fetch(base + file, { headers: { ...auth(), range: 'bytes=4-11' } });
		expect(part.status).toBe(206);
		expect(part.headers.get('content-range')).toBe(`bytes 4-11/${full.length}`);
		expect(Buffer.from(await part.arrayBuffer())).toEqual(full.subarray(4, 12));
		const suffix = await fetch(base + file, { headers: { ...auth(), range: 'bytes=-8' } });
		expect(Buffer.from(await suffix.arrayBuffer())).toEqual(full.subarray(full.length - 8));
		const beyond = await fetch(base + file, { headers: { ...auth(), range: `bytes=${full.length}-` } });
		expect(beyond.status).toBe(416);
		expect(beyond.headers.get('content-range')).toBe(`bytes */${full.length}`);
		const multi = await fetch(base + file, { headers: { ...auth(), range: 'bytes=0-1,4-5' } });
		expect(multi.status).toBe(200);
		const stale = await fetch(base + file, { headers: { ...auth(), range: 'bytes=0-1', 'if-range': '"old"' } });
		expect(stale.status).toBe(200);
	});

	test('out-of-scope files are refused before any range or validator is looked at', async () => {
		const other = `/extracts/${FIXTURE_VERSION}/comune/028002.parquet`;
		const res = await fetch(base + other, { headers: { ...auth(), range: 'bytes=0-3', 'if-none-match': '*' } });
		expect(res.status).toBe(403);
	});
});
