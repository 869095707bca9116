/**
 * The gateway is the security boundary: every demo identity logs in through the real provider
 * in Chromium, and with its access token every file of the national (ministero) manifest is
 * requested directly: 200 inside its scope, 403 outside — an exhaustive loop, not a sample.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Manifest, ManifestFile } from '../contracts/manifest.ts';
import { reaches } from '../contracts/scope.ts';
import { launchBrowser } from './support/browser.ts';
import { accessTokenOf, loginAs } from './support/login.ts';
import { identityOf } from './support/stack.ts';

const baseURL = inject('baseURL');
const identities = inject('identities');
const hasExtracts = inject('hasExtracts');

let browser: Awaited<ReturnType<typeof launchBrowser>>;
let national: ManifestFile[] = [];
/** Console messages about blocked content: the gateway's CSP must not break the app. */
const cspViolations: string[] = [];

beforeAll(async () => {
	browser = await launchBrowser();
	if (!hasExtracts) return;
	const token = await tokenOf(identityOf(identities, 'ministero').fiscal_code);
	const res = await fetch(`${baseURL}/extracts/manifest.json`, { headers: { authorization: `Bearer ${token}` } });
	expect(res.status).toBe(200);
	national = ((await res.json()) as Manifest).files;
});
afterAll(async () => browser?.close());

/** Logs in through the provider's page in a fresh tab and returns the app's access token. */
async function tokenOf(fiscalCode: string, keep?: (page: Page) => Promise<void>): Promise<string> {
	await browser.context.clearCookies();
	const page = await browser.context.newPage();
	page.on('console', (m) => {
		if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
	});
	try {
		await loginAs(page, fiscalCode, '/');
		// Let the first view load (DuckDB-WASM included) so a CSP violation would show; the
		// view's own correctness is tested elsewhere.
		await page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 }).catch(() => {});
		await keep?.(page);
		return await accessTokenOf(page);
	} finally {
		await page.close();
	}
}

/** Runs `fn` over `items` with a few requests in flight (a 2-core machine, loopback only). */
async function pool<T>(items: readonly T[], fn: (item: T) => Promise<void>, width = 8): Promise<void> {
	let next = 0;
	await Promise.all(Array.from({ length: width }, async () => {
		while (next < items.length) await fn(items[next++]);
	}));
}

describe.skipIf(!hasExtracts)('every demo identity against every published file', () => {
	for (const who of identities.filter((i) => i.status === 'confirmed')) {
		test(`${who.role} (${who.territories.join(', ')})`, async () => {
			const token = await tokenOf(who.fiscal_code);
			const auth = { authorization: `Bearer ${token}` };
			const inScope = national.filter((f) => reaches(who.territories, f));
			expect(inScope.some((f) => f.scope === who.territories[0] || who.territories[0] === 'it')).toBe(true);
			if (who.role !== 'ministero') expect(inScope.length).toBeLessThan(national.length);

			const own = (await (await fetch(`${baseURL}/extracts/manifest.json`, { headers: auth })).json()) as Manifest;
			expect(own.files.map((f) => f.path).sort()).toEqual(inScope.map((f) => f.path).sort());

			const wrong: string[] = [];
			await pool(national, async (file) => {
				const allowed = inScope.includes(file);
				// HEAD for readable files (no need to move the bytes), GET for the refused ones.
				const res = await fetch(`${baseURL}/extracts/${file.path}`, { method: allowed ? 'HEAD' : 'GET', headers: auth });
				const body = allowed ? '' : await res.text();
				if (res.status !== (allowed ? 200 : 403) || (!allowed && body !== 'Forbidden')) wrong.push(`${res.status} ${file.path}`);
			});
			expect(wrong).toEqual([]);
		}, 600_000);
	}
});

test('the app logs in and loads under the gateway CSP without a violation', () => {
	expect(cspViolations).toEqual([]);
});

describe.skipIf(!hasExtracts)('tokens of the real provider used the wrong way', () => {
	test('the ID token (audience: the app) and an edited access token are refused with 401', async () => {
		let idToken = '';
		const who = identityOf(identities, 'comune');
		const access = await tokenOf(who.fiscal_code, async (page) => {
			idToken = await page.evaluate(() => {
				const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'))!;
				return (JSON.parse(sessionStorage.getItem(key)!) as { id_token: string }).id_token;
			});
		});
		const [h, p, s] = access.split('.');
		const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
		const widened = Buffer.from(JSON.stringify({ ...claims, territories: ['it'], role: 'ministero' })).toString('base64url');
		for (const token of [idToken, `${h}.${widened}.${s}`]) {
			const res = await fetch(`${baseURL}/extracts/manifest.json`, { headers: { authorization: `Bearer ${token}` } });
			expect(res.status).toBe(401);
			expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
		}
	});
});
