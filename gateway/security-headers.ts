/**
 * Security headers of every response, and the Content-Security-Policy of the app's pages.
 * SvelteKit's static output boots from one inline `<script>`: instead of 'unsafe-inline',
 * the gateway allows exactly the inline scripts of the page it sends, by their sha256.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { OutgoingHttpHeaders } from 'node:http';

/** Headers sent on every response. */
export const BASE_HEADERS: OutgoingHttpHeaders = {
	'x-content-type-options': 'nosniff',
	'referrer-policy': 'no-referrer',
	'x-frame-options': 'DENY',
	'cross-origin-opener-policy': 'same-origin',
	'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
	// Browsers ignore it over plain http (the demo, loopback); once the site is reached over https
	// (TLS ends at a proxy in front of the gateway) it keeps them there for a year. No
	// includeSubDomains: other services of the organisation's domain are not ours to bind.
	'strict-transport-security': 'max-age=31536000'
};

/**
 * The CSP: same origin, plus the identity provider for token/userinfo calls (connect-src) and
 * the silent-renew iframe (frame-src); 'wasm-unsafe-eval' lets DuckDB-WASM compile its module
 * (it never allows JS eval); workers from self or blob: (DuckDB-WASM's worker bootstrap).
 */
export function contentSecurityPolicy(issuer: string | undefined, scriptHashes: readonly string[] = []): string {
	const idp = issuer ? ` ${new URL(issuer).origin}` : '';
	const hashes = scriptHashes.map((h) => ` '${h}'`).join('');
	return [
		"default-src 'self'",
		`script-src 'self' 'wasm-unsafe-eval'${hashes}`,
		"worker-src 'self' blob:",
		`connect-src 'self'${idp}`,
		`frame-src 'self'${idp}`,
		"img-src 'self' data: blob:",
		// Svelte and d3 set style attributes; no script can come in through styles.
		"style-src 'self' 'unsafe-inline'",
		"font-src 'self'",
		"object-src 'none'",
		"base-uri 'self'",
		`form-action 'self'${idp}`,
		"frame-ancestors 'none'"
	].join('; ');
}

/** The CSP source expressions (`sha256-...`) of the inline scripts of an HTML document. */
export function inlineScriptHashes(html: string): string[] {
	const hashes: string[] = [];
	for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
		if (/\bsrc\s*=/i.test(m[1])) continue;
		hashes.push(`sha256-${createHash('sha256').update(m[2], 'utf8').digest('base64')}`);
	}
	return hashes;
}

/** Caches the CSP of each HTML file by (path, mtime), so a rebuilt app gets fresh hashes. */
export function htmlPolicyCache(issuer: string | undefined) {
	const cache = new Map<string, { mtimeMs: number; csp: string }>();
	return async (file: string, mtimeMs: number): Promise<string> => {
		const hit = cache.get(file);
		if (hit && hit.mtimeMs === mtimeMs) return hit.csp;
		const csp = contentSecurityPolicy(issuer, inlineScriptHashes(await readFile(file, 'utf8')));
		cache.set(file, { mtimeMs, csp });
		return csp;
	};
}
