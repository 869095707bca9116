/**
 * The access rule of the extract gateway, free of any HTTP server so it can run as an nginx
 * `auth_request` backend or an edge function in front of object storage (docs/gateway.md).
 *
 * Two steps: `createTokenVerifier()` turns a bearer token into an `Access` (or null: 401), and
 * `decideExtract()` / `filterManifest()` apply DESIGN.md's scope rule to the CURRENT manifest.
 */
import { createRemoteJWKSet, jwtVerify, type JWSAlgorithm, type JWTVerifyGetKey } from 'jose';
import { isRole, type Role } from '../contracts/claims.ts';
import type { Manifest, ManifestFile } from '../contracts/manifest.ts';
import { reaches } from '../contracts/scope.ts';
import { isTerritoryId, type TerritoryId } from '../contracts/territory.ts';

/** Asymmetric algorithms only: `none` and the HS* family (shared secrets) are never accepted. */
export const DEFAULT_ALGORITHMS: JWSAlgorithm[] = ['RS256', 'PS256', 'ES256'];

/** The default audience of access tokens meant for the gateway (a resource indicator). */
export const DEFAULT_AUDIENCE = 'cruscotto-extracts';

export interface VerifierOptions {
	issuer: string;
	/** The provider's JWKS URL; or pass `jwks` (a jose key resolver) directly. */
	jwksUrl?: string | URL;
	jwks?: JWTVerifyGetKey;
	audience?: string;
	algorithms?: JWSAlgorithm[];
	/** Verified tokens kept in memory (expiry is still checked on every hit); 0 disables. */
	cacheSize?: number;
}

/** What a verified token grants. `accredited` is false for a token without a role or territories. */
export interface Access {
	role: Role | null;
	territories: TerritoryId[];
	accredited: boolean;
	/** Expiry, seconds since the epoch. */
	exp: number;
}

/** Verifies a compact JWS bearer token: signature (JWKS), issuer, audience, expiry, algorithm. */
export type TokenVerifier = (token: string) => Promise<Access | null>;

/** Builds the token verifier. jose caches the JWKS and refetches it on an unknown `kid`. */
export function createTokenVerifier(opts: VerifierOptions): TokenVerifier {
	const algorithms = opts.algorithms ?? DEFAULT_ALGORITHMS;
	if (algorithms.some((a) => a === 'none' || a.startsWith('HS'))) {
		throw new Error('Symmetric or unsigned algorithms are not accepted by the gateway');
	}
	const jwks = opts.jwks ?? (opts.jwksUrl ? createRemoteJWKSet(new URL(opts.jwksUrl)) : null);
	if (!jwks) throw new Error('createTokenVerifier needs jwksUrl or jwks');
	const audience = opts.audience ?? DEFAULT_AUDIENCE;
	const cacheSize = opts.cacheSize ?? 1000;
	const cache = new Map<string, Access>();

	return async (token) => {
		const now = Math.floor(Date.now() / 1000);
		const hit = cache.get(token);
		if (hit) {
			if (hit.exp > now) return hit;
			cache.delete(token);
			return null;
		}
		try {
			const { payload } = await jwtVerify(token, jwks, {
				issuer: opts.issuer,
				audience,
				algorithms,
				requiredClaims: ['exp']
			});
			const access = accessOf(payload);
			if (cacheSize > 0) {
				// Map keeps insertion order: dropping the first key evicts the oldest entry.
				if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
				cache.set(token, access);
			}
			return access;
		} catch {
			return null;
		}
	};
}

/** Reads the role and territories of a verified payload; anything malformed grants nothing. */
export function accessOf(payload: Record<string, unknown>): Access {
	const role = isRole(payload.role) ? payload.role : null;
	const raw = payload.territories;
	const territories =
		Array.isArray(raw) && raw.length > 0 && raw.every(isTerritoryId) ? (raw as TerritoryId[]) : [];
	return { role, territories, accredited: role !== null && territories.length > 0, exp: Number(payload.exp) };
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
	const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(header ?? '');
	return match ? match[1] : null;
}

/** Indexes a manifest's files by path, once per manifest. */
export function indexManifest(manifest: Manifest): Map<string, ManifestFile> {
	return new Map(manifest.files.map((f) => [f.path, f]));
}

export type ExtractDecision =
	| { status: 200; file: ManifestFile }
	| { status: 403 }
	| { status: 404 };

/**
 * Decides a request for `extracts/<relPath>` (already canonical: no `.`/`..`/empty segments).
 * Only files of the current manifest are served. Anything else is 403 for a scoped token, so
 * the answer never tells whether another territory's file exists; a national (`it`) token,
 * which may read every file, gets 404 for paths that are not published.
 */
export function decideExtract(access: Access, relPath: string, files: Map<string, ManifestFile>): ExtractDecision {
	if (!access.accredited) return { status: 403 };
	const file = files.get(relPath);
	if (file && reaches(access.territories, file)) return { status: 200, file };
	return access.territories.includes('it') && !file ? { status: 404 } : { status: 403 };
}

/** The manifest as one token sees it: only the files it may read. */
export function filterManifest(manifest: Manifest, access: Access): Manifest {
	return { ...manifest, files: manifest.files.filter((f) => reaches(access.territories, f)) };
}
