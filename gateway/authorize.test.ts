import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, test } from 'vitest';
import type { ManifestFile } from '../contracts/manifest.ts';
import { accessOf, bearerToken, createTokenVerifier, decideExtract, indexManifest } from './authorize.ts';

const file = (path: string, scope: string, within: string[]): ManifestFile => ({ path, scope, within, kind: 'extract', rows: 1, bytes: 1, sha256: '0'.repeat(64) });
const files = indexManifest({ files: [file('v/italia.parquet', 'it', []), file('v/comune/028001.parquet', 'c:028001', ['r:05', 'a:X05001'])] } as never);

describe('authorize', () => {
	test('bearerToken takes only a Bearer token68', () => {
		expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
		expect(bearerToken('bearer abc.def.ghi')).toBe('abc.def.ghi');
		expect(bearerToken('Basic abc')).toBe(null);
		expect(bearerToken('Bearer a b')).toBe(null);
		expect(bearerToken(undefined)).toBe(null);
	});

	test('accessOf grants nothing for a missing role or malformed territories', () => {
		expect(accessOf({ role: 'comune', territories: ['c:028001'], exp: 1 }).accredited).toBe(true);
		expect(accessOf({ role: 'comune', territories: [], exp: 1 }).accredited).toBe(false);
		expect(accessOf({ role: 'comune', territories: 'c:028001', exp: 1 }).accredited).toBe(false);
		expect(accessOf({ role: 'comune', territories: ['c:028001', 'it; drop'], exp: 1 }).territories).toEqual([]);
		expect(accessOf({ role: 'admin', territories: ['it'], exp: 1 }).accredited).toBe(false);
	});

	test('decideExtract: 200 in scope, 403 otherwise, 404 only to a national token', () => {
		const comune = accessOf({ role: 'comune', territories: ['c:028001'], exp: 1 });
		const other = accessOf({ role: 'comune', territories: ['c:028002'], exp: 1 });
		const nation = accessOf({ role: 'ministero', territories: ['it'], exp: 1 });
		expect(decideExtract(comune, 'v/comune/028001.parquet', files).status).toBe(200);
		expect(decideExtract(other, 'v/comune/028001.parquet', files).status).toBe(403);
		expect(decideExtract(other, 'v/comune/028002.parquet', files).status).toBe(403);
		expect(decideExtract(nation, 'v/comune/028002.parquet', files).status).toBe(404);
		expect(decideExtract(accessOf({ exp: 1 }), 'v/italia.parquet', files).status).toBe(403);
	});

	test('symmetric and unsigned algorithms cannot be configured', () => {
		expect(() => createTokenVerifier({ issuer: 'x', jwksUrl: 'http://127.0.0.1/jwks', algorithms: ['HS256'] })).toThrow();
		expect(() => createTokenVerifier({ issuer: 'x', jwksUrl: 'http://127.0.0.1/jwks', algorithms: ['none' as 'RS256'] })).toThrow();
	});

	test('tokens naming unknown keys cost at most one JWKS fetch per cooldown; a token not yet valid is refused', async () => {
		const { privateKey, publicKey } = await generateKeyPair('RS256');
		const body = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] });
		let fetches = 0;
		const server = http.createServer((_req, res) => {
			fetches++;
			res.writeHead(200, { 'content-type': 'application/json' }).end(body);
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		try {
			const verify = createTokenVerifier({ issuer, jwksUrl: `${issuer}/jwks` });
			const now = Math.floor(Date.now() / 1000);
			const sign = (kid: string, nbf = now) =>
				new SignJWT({ role: 'comune', territories: ['c:028001'] })
					.setProtectedHeader({ alg: 'RS256', kid })
					.setIssuer(issuer)
					.setAudience('cruscotto-extracts')
					.setNotBefore(nbf)
					.setExpirationTime(now + 300)
					.sign(privateKey);
			expect(await verify(await sign('k1'))).toMatchObject({ accredited: true });
			const forged = await Promise.all(Array.from({ length: 50 }, (_, i) => sign(`unknown-${i}`)));
			for (const t of forged) expect(await verify(t)).toBe(null);
			expect(fetches).toBeLessThanOrEqual(2);
			expect(await verify(await sign('k1', now + 120))).toBe(null);
		} finally {
			server.close();
		}
	});
});
