import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import { get as httpGet } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Manifest } from '../contracts/manifest.ts';
import { reaches } from '../contracts/scope.ts';
import { startGateway } from './server.ts';
import { FIXTURE_VERSION, makeExtractsFixture, mintToken, startTestIssuer, type TestIssuer } from './testing.ts';

let root: string;
let issuer: TestIssuer;
let gateway: http.Server;
let base: string;
let manifest: Manifest;
let extractsDir: string;

beforeAll(async () => {
	root = await mkdtemp(path.join(tmpdir(), 'gateway-access-'));
	({ dir: extractsDir, manifest } = await makeExtractsFixture(root));
	issuer = await startTestIssuer();
	await writeFile(path.join(root, 'index.html'), '<!doctype html><title>app</title>');
	gateway = await startGateway({ appDir: root, extractsDir, port: 0, issuer: issuer.issuer, jwksUrl: issuer.jwksUrl });
	base = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
});
afterAll(async () => {
	await new Promise((resolve) => gateway?.close(resolve));
	await issuer?.close();
	await rm(root, { recursive: true, force: true });
});

const token = (territories: string[], role = 'comune', extra: { audience?: string; expiresIn?: number } = {}) =>
	mintToken(issuer.privateKey, { issuer: issuer.issuer, territories, role, ...extra });
const get = (p: string, bearer?: string, headers: Record<string, string> = {}) =>
	fetch(base + p, { headers: { ...headers, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) } });
const atsFile = `/extracts/${FIXTURE_VERSION}/ats/X05001.parquet`;

describe('tokens that are not valid get 401', () => {
	test('no token, or not a Bearer token', async () => {
		for (const res of [await get(atsFile), await get(atsFile, undefined, { authorization: 'Basic YTpi' })]) {
			expect(res.status).toBe(401);
			expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
			expect(await res.text()).toBe('Unauthorized');
		}
	});

	test('forged with another key, expired, wrong audience, wrong issuer, alg none, edited claims', async () => {
		const other = await generateKeyPair('RS256');
		const now = Math.floor(Date.now() / 1000);
		const good = await token(['a:X05001'], 'ats_amministratore');
		const [h, , s] = good.split('.');
		const payload = JSON.parse(Buffer.from(good.split('.')[1], 'base64url').toString());
		const edited = Buffer.from(JSON.stringify({ ...payload, territories: ['it'] })).toString('base64url');
		const hs = await new SignJWT({ territories: ['it'], role: 'ministero' })
			.setProtectedHeader({ alg: 'HS256', kid: 'test-key' })
			.setIssuer(issuer.issuer)
			.setAudience('cruscotto-extracts')
			.setExpirationTime(now + 300)
			.sign(new TextEncoder().encode('a-shared-secret-of-at-least-32-bytes!!'));
		const bad = {
			'another key': await mintToken(other.privateKey, { issuer: issuer.issuer, territories: ['it'], role: 'ministero' }),
			expired: await token(['a:X05001'], 'ats_amministratore', { expiresIn: -10 }),
			'wrong audience': await token(['a:X05001'], 'ats_amministratore', { audience: 'another-api' }),
			'wrong issuer': await mintToken(issuer.privateKey, { issuer: 'http://127.0.0.1:1', territories: ['it'], role: 'ministero' }),
			'alg none': new UnsecuredJWT({ territories: ['it'], role: 'ministero' })
				.setIssuer(issuer.issuer)
				.setAudience('cruscotto-extracts')
				.setExpirationTime(now + 300)
				.encode(),
			'HS256 (symmetric)': hs,
			'territories edited after signing': `${h}.${edited}.${s}`,
			garbage: 'not.a.jwt'
		};
		expect((await get(atsFile, good)).status).toBe(200);
		for (const [name, t] of Object.entries(bad)) {
			for (const p of [atsFile, '/extracts/manifest.json', `/extracts/${FIXTURE_VERSION}/italia.parquet`]) {
				const res = await get(p, t);
				expect(res.status, `${name} ${p}`).toBe(401);
				expect(res.headers.get('www-authenticate')).toContain('invalid_token');
			}
		}
	});
});

test('a port already taken rejects with EADDRINUSE (the caller can try another), not an uncaught error', async () => {
	const port = (gateway.address() as AddressInfo).port;
	await expect(startGateway({ appDir: root, extractsDir, port, issuer: issuer.issuer, jwksUrl: issuer.jwksUrl })).rejects.toMatchObject({ code: 'EADDRINUSE' });
});

test('a gateway whose audience is the client id does not start (ID tokens would pass)', async () => {
	const config = { issuer: issuer.issuer, client_id: 'cruscotto', audience: 'cruscotto', scopes: 'openid' };
	await expect(startGateway({ appDir: root, extractsDir, port: 0, config })).rejects.toThrow(/audience must differ from the client id/);
	await expect(startGateway({ appDir: root, extractsDir, port: 0, config: { ...config, audience: 'x' }, audience: 'cruscotto' })).rejects.toThrow(/audience/);
});

describe('scope', () => {
	const identities = [
		{ role: 'ministero', territories: ['it'] },
		{ role: 'regione', territories: ['r:05'] },
		{ role: 'regione', territories: ['r:03'] },
		{ role: 'ats_amministratore', territories: ['a:X05001'] },
		{ role: 'ufficio_di_piano', territories: ['a:X05002'] },
		{ role: 'comune', territories: ['c:028001'] },
		{ role: 'comune', territories: ['c:015146'] }
	];

	test('every file of the manifest: 200 with the bytes when in scope, 403 otherwise', async () => {
		for (const id of identities) {
			const t = await token(id.territories, id.role);
			for (const file of manifest.files) {
				const res = await get(`/extracts/${file.path}`, t);
				const allowed = reaches(id.territories, file);
				expect(res.status, `${id.territories} ${file.path}`).toBe(allowed ? 200 : 403);
				const body = Buffer.from(await res.arrayBuffer());
				if (allowed) expect(body.length).toBe(file.bytes);
				else expect(body.toString()).toBe('Forbidden');
			}
		}
	});

	test('the manifest lists only what the token may read, with hashes, privately cached', async () => {
		const res = await get('/extracts/manifest.json', await token(['a:X05001'], 'ats_amministratore'));
		expect(res.status).toBe(200);
		expect(res.headers.get('cache-control')).toBe('private, no-cache');
		expect(res.headers.get('vary')).toContain('Authorization');
		const seen = (await res.json()) as Manifest;
		expect(seen.files.map((f) => f.path).sort()).toEqual(
			[
				'italia.parquet',
				'ats/X05001.parquet',
				'comune/028001.parquet',
				'comune/028002.parquet',
				'summary/ats/X05001.json'
			]
				.map((p) => `${FIXTURE_VERSION}/${p}`)
				.sort()
		);
		expect(seen.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);
		expect(JSON.stringify(seen)).not.toContain('X03001');
	});

	test('old versions, unpublished paths and symlinks are refused without telling which exist', async () => {
		const comune = await token(['c:028001']);
		const nation = await token(['it'], 'ministero');
		for (const p of ['v1/comune/028001.parquet', 'v1/ats/X03001.parquet', 'v2/comune/999999.parquet', 'v2/link.parquet']) {
			expect((await get(`/extracts/${p}`, comune)).status, p).toBe(403);
			expect((await get(`/extracts/${p}`, nation)).status, p).toBe(404);
		}
	});

	test('a valid token without role or territories (pending, revoked) reads nothing', async () => {
		for (const t of [await token([], 'comune'), await token(['c:028001'], 'nobody'), await token(['bogus'], 'comune')]) {
			expect((await get('/extracts/manifest.json', t)).status).toBe(403);
			expect((await get(`/extracts/${FIXTURE_VERSION}/italia.parquet`, t)).status).toBe(403);
		}
	});

	test('the manifest, kept per set of territories, is never another set\'s nor an old version\'s', async () => {
		const paths = async (t: string) => ((await (await get('/extracts/manifest.json', t)).json()) as Manifest).files.map((f) => f.path).sort();
		const comune = await token(['c:028001']);
		const ats = await token(['a:X05001'], 'ats_amministratore');
		const first = await paths(comune);
		expect(await paths(ats)).not.toEqual(first);
		expect(await paths(await token(['c:028001']))).toEqual(first);
		expect(first).toContain(`${FIXTURE_VERSION}/comune/028001.parquet`);
		const tmp = path.join(extractsDir, 'manifest.json.tmp');
		const { rename } = await import('node:fs/promises');
		try {
			await writeFile(tmp, JSON.stringify({ ...manifest, files: manifest.files.filter((f) => f.scope !== 'c:028001') }));
			await rename(tmp, path.join(extractsDir, 'manifest.json'));
			expect(await paths(comune)).not.toContain(`${FIXTURE_VERSION}/comune/028001.parquet`);
		} finally {
			await writeFile(tmp, JSON.stringify(manifest));
			await rename(tmp, path.join(extractsDir, 'manifest.json'));
		}
		expect(await paths(comune)).toEqual(first);
	});

	test('a new manifest takes effect at the next request', async () => {
		const t = await token(['c:028001']);
		const file = `/extracts/${FIXTURE_VERSION}/comune/028001.parquet`;
		expect((await get(file, t)).status).toBe(200);
		const next = { ...manifest, files: manifest.files.filter((f) => f.scope !== 'c:028001') };
		const tmp = path.join(extractsDir, 'manifest.json.tmp');
		await writeFile(tmp, JSON.stringify(next));
		const { rename } = await import('node:fs/promises');
		await rename(tmp, path.join(extractsDir, 'manifest.json'));
		expect((await get(file, t)).status).toBe(403);
		await writeFile(tmp, JSON.stringify(manifest));
		await rename(tmp, path.join(extractsDir, 'manifest.json'));
		expect((await get(file, t)).status).toBe(200);
	});
});

describe('another territory\'s file by any other spelling, method or header', () => {
	/** The status line of a raw request (fetch would normalise the target first). */
	const raw = (method: string, target: string, bearer: string, extra = '') =>
		new Promise<string>((resolve, reject) => {
			const s = connect((gateway.address() as AddressInfo).port, '127.0.0.1', () =>
				s.write(`${method} ${target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${bearer}\r\nConnection: close\r\n${extra}\r\n`)
			);
			let data = '';
			s.on('data', (c: Buffer) => (data += c.toString('latin1')));
			s.on('end', () => resolve(data));
			s.on('error', reject);
		});

	test('is refused (400, 403 or 405), never sent', async () => {
		const t = await token(['a:X05001'], 'ats_amministratore');
		const v = FIXTURE_VERSION;
		const targets = [
			`/extracts/${v}/ats/X05002.parquet`, `/extracts/${v}/ATS/X05002.parquet`, `/extracts/${v}/ats/x05002.parquet`,
			`/extracts/${v}/ats/X05002.parquet.`, `/extracts/${v}/ats/X05002.parquet/`, `/extracts/${v}/ats%2fX05002.parquet`,
			`/extracts/${v}%2Fats%2FX05002.parquet`, `/extracts/${v}/ats%252fX05002.parquet`, `/extracts/${v}/%EF%BD%81ts/X05002.parquet`,
			`/extracts/${v}/ats/X05002%2Eparquet`, `/extracts/${v}/ats/X05002.parquet?f=ats/X05001.parquet`, `/extracts/${v}/ats/X05002.parquet;x`,
			`/extracts/${v}/ats/X05001.parquet/../X05002.parquet`, `/extracts//${v}//ats//X05002.parquet`, `/extracts/v1/ats/X05002.parquet`,
			`/extracts/v1/ats/X05001.parquet`, `/extracts/${v}/regione/05.parquet`, `/Extracts/${v}/ats/X05002.parquet`,
			`http://x/extracts/${v}/ats/X05002.parquet`
		];
		const file = `/extracts/${v}/ats/X05002.parquet`;
		const requests: [string, string, string?][] = [
			...targets.map((p): [string, string] => ['GET', p]),
			...['HEAD', 'OPTIONS', 'POST', 'PUT', 'DELETE', 'TRACE'].map((m): [string, string] => [m, file]),
			['GET', file, 'Range: bytes=0-10\r\n'],
			['GET', file, 'If-None-Match: *\r\n']
		];
		for (const [method, target, extra] of requests) {
			const res = await raw(method, target, t, extra);
			expect(res, `${method} ${target} ${extra ?? ''}`).toMatch(/^HTTP\/1\.1 (400|403|404|405) /);
			expect(res).not.toContain('a:X05002');
		}
		// The control: the token's own file, by its one spelling.
		expect(await raw('GET', `/extracts/${v}/ats/X05001.parquet`, t)).toMatch(/^HTTP\/1\.1 200 [\s\S]*PAR1 v2 a:X05001/);
	});
});

describe('the app side never serves extracts', () => {
	test('extracts reachable under the app directory (a symlink, or extracts kept inside it) are 404 there', async () => {
		// Here appDir holds extracts/ itself, as a careless deployment might; a link gives it a second name
		// that is not `/extracts/` (so is `/Extracts/` on a case-insensitive file system).
		const { symlink } = await import('node:fs/promises');
		await symlink(extractsDir, path.join(root, 'data'));
		for (const p of [`/data/${FIXTURE_VERSION}/comune/028001.parquet`, '/data/manifest.json', `/data/${FIXTURE_VERSION}/summary/ats/X05001.json`]) {
			const res = await get(p);
			expect(res.status, p).toBe(404);
			expect(await res.text()).toBe('Not found');
		}
		expect((await get('/index.html')).status).toBe(200);
	});
});

describe('compressed JSON extracts', () => {
	/** A raw GET (fetch would decode the body and hide the encoding). */
	const raw = (p: string, headers: Record<string, string>) =>
		new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
			httpGet(base + p, { headers }, (res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
			}).on('error', reject);
		});
	const summary = () => manifest.files.find((f) => f.kind === 'summary')!;

	test('a summary comes brotli-compressed when accepted, still private, immutable and checked', async () => {
		const auth = { authorization: `Bearer ${await token(['a:X05001'], 'ats_amministratore')}` };
		const file = summary();
		const br = await raw(`/extracts/${file.path}`, { ...auth, 'accept-encoding': 'gzip, br' });
		expect(br.status).toBe(200);
		expect(br.headers['content-encoding']).toBe('br');
		expect(br.headers['cache-control']).toBe('private, max-age=31536000, immutable');
		expect(br.headers.vary).toMatch(/Authorization.*Accept-Encoding/);
		expect(createHash('sha256').update(brotliDecompressSync(br.body)).digest('hex')).toBe(file.sha256);
		// Revalidation of the compressed representation, and the identity one for other clients and ranges.
		expect((await raw(`/extracts/${file.path}`, { ...auth, 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) })).status).toBe(304);
		const others: Record<string, string>[] = [{ 'accept-encoding': 'identity' }, { 'accept-encoding': 'br', range: 'bytes=0-9' }];
		for (const headers of others) {
			const plain = await raw(`/extracts/${file.path}`, { ...auth, ...headers });
			expect(plain.headers['content-encoding']).toBeUndefined();
			expect(plain.headers.etag).not.toBe(br.headers.etag);
		}
		// Compression changes nothing about who may read it.
		expect((await raw(`/extracts/${file.path}`, { 'accept-encoding': 'br' })).status).toBe(401);
		expect((await raw(`/extracts/${file.path}`, { authorization: `Bearer ${await token(['c:015146'])}`, 'accept-encoding': 'br' })).status).toBe(403);
	});

	test('Parquet extracts are sent as they are (already compressed)', async () => {
		const res = await raw(atsFile, { authorization: `Bearer ${await token(['a:X05001'], 'ats_amministratore')}`, 'accept-encoding': 'br' });
		expect(res.status).toBe(200);
		expect(res.headers['content-encoding']).toBeUndefined();
	});
});
