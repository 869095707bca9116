/**
 * Test and benchmark helpers: a signing key with its JWKS served on loopback, token minting,
 * and a small published-extracts tree made by code (a manifest and dummy files for a few
 * scopes, an older version, and a file outside the root reachable through a symlink).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Manifest, ManifestFile } from '../contracts/manifest.ts';

export interface TestIssuer {
	issuer: string;
	jwksUrl: string;
	privateKey: CryptoKey;
	close(): Promise<void>;
}

/** Generates an RS256 key and serves its public JWKS at `<issuer>/jwks` on 127.0.0.1. */
export async function startTestIssuer(): Promise<TestIssuer> {
	const { privateKey, publicKey } = await generateKeyPair('RS256');
	const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
	const body = JSON.stringify({ keys: [jwk] });
	const server = http.createServer((req, res) => {
		if (req.url === '/jwks') res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(body);
		else res.writeHead(404).end();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {
		issuer,
		jwksUrl: `${issuer}/jwks`,
		privateKey,
		close: () => new Promise((resolve) => server.close(() => resolve()))
	};
}

export interface MintOptions {
	issuer: string;
	audience?: string;
	role?: string;
	territories?: string[];
	/** Seconds from now (negative: already expired). */
	expiresIn?: number;
	kid?: string;
}

/** Signs an access token shaped like the identity provider's. */
export async function mintToken(key: CryptoKey, opts: MintOptions): Promise<string> {
	const now = Math.floor(Date.now() / 1000);
	return new SignJWT({ role: opts.role ?? 'comune', territories: opts.territories ?? [] })
		.setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: opts.kid ?? 'test-key' })
		.setIssuer(opts.issuer)
		.setAudience(opts.audience ?? 'cruscotto-extracts')
		.setSubject('TINIT-RSSMRA80A01H501U')
		.setIssuedAt(now)
		.setExpirationTime(now + (opts.expiresIn ?? 300))
		.sign(key);
}

/** The scopes of the fixture: two Regioni, three ATS, four Comuni. */
export const FIXTURE_SCOPES: { path: string; scope: string; within: string[] }[] = [
	{ path: 'italia.parquet', scope: 'it', within: [] },
	{ path: 'regione/05.parquet', scope: 'r:05', within: [] },
	{ path: 'regione/03.parquet', scope: 'r:03', within: [] },
	{ path: 'ats/X05001.parquet', scope: 'a:X05001', within: ['r:05'] },
	{ path: 'ats/X05002.parquet', scope: 'a:X05002', within: ['r:05'] },
	{ path: 'ats/X03001.parquet', scope: 'a:X03001', within: ['r:03'] },
	{ path: 'comune/028001.parquet', scope: 'c:028001', within: ['r:05', 'a:X05001'] },
	{ path: 'comune/028002.parquet', scope: 'c:028002', within: ['r:05', 'a:X05001'] },
	{ path: 'comune/028003.parquet', scope: 'c:028003', within: ['r:05', 'a:X05002'] },
	{ path: 'comune/015146.parquet', scope: 'c:015146', within: ['r:03', 'a:X03001'] },
	{ path: 'summary/ats/X05001.json', scope: 'a:X05001', within: ['r:05'] }
];

export const FIXTURE_VERSION = 'v2';

/**
 * Writes `<root>/extracts` (manifest of version v2, files of v2 and of an older v1 not in the
 * manifest, a symlink to `<root>/secret.txt`) and returns the extracts dir and the manifest.
 */
export async function makeExtractsFixture(root: string, bytesPerFile = 4096): Promise<{ dir: string; manifest: Manifest }> {
	const dir = path.join(root, 'extracts');
	const files: ManifestFile[] = [];
	for (const version of ['v1', FIXTURE_VERSION]) {
		for (const f of FIXTURE_SCOPES) {
			const data = Buffer.concat([Buffer.from(`PAR1 ${version} ${f.scope}\n`), randomBytes(bytesPerFile)]);
			const file = path.join(dir, version, f.path);
			await mkdir(path.dirname(file), { recursive: true });
			await writeFile(file, data);
			if (version !== FIXTURE_VERSION) continue;
			files.push({
				path: `${version}/${f.path}`,
				scope: f.scope,
				within: f.within,
				kind: f.path.startsWith('summary/') ? 'summary' : 'extract',
				rows: 10,
				bytes: data.length,
				sha256: createHash('sha256').update(data).digest('hex')
			});
		}
	}
	await writeFile(path.join(root, 'secret.txt'), 'TOP SECRET outside the root\n');
	await symlink(path.join(root, 'secret.txt'), path.join(dir, FIXTURE_VERSION, 'link.parquet'));
	const manifest: Manifest = {
		schema_version: 1,
		version: FIXTURE_VERSION,
		published_at: '2026-11-01T12:00:00Z',
		period: { from: '2019-04', to: '2026-09' },
		measures: ['RdC', 'PdC', 'ADI', 'SFL'],
		suppression_threshold: 3,
		synthetic: { microdata: true, ats_map: true },
		sources: {},
		files
	};
	await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
	return { dir, manifest };
}
