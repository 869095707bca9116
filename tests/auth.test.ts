/**
 * The login as a user lives it, in Chromium against the real provider and gateway: every
 * demo identity signs in and sees who they are and their territory; a pending user gets the
 * pending page and no data; logout ends the session; an expired session renews or returns
 * to the same view.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchBrowser } from './support/browser.ts';
import { accessTokenOf, loginAs } from './support/login.ts';
import { identityOf } from './support/stack.ts';

const ROLE_LABELS: Record<string, string> = {
	ministero: 'Ministero',
	regione: 'Regione',
	ats_amministratore: 'Amministratore ATS',
	ats_coordinatore: 'Coordinatore ATS',
	ufficio_di_piano: 'Ufficio di piano',
	comune: 'Comune'
};

let browser: Awaited<ReturnType<typeof launchBrowser>>;
beforeAll(async () => {
	browser = await launchBrowser();
});
afterAll(async () => browser?.close());

/** A fresh page whose session storage is empty (a new tab). */
async function freshPage(): Promise<Page> {
	await browser.context.clearCookies();
	return browser.context.newPage();
}

const identities = inject('identities');
const baseURL = inject('baseURL');
// The header's session box (the layout puts UserMenu in the page banner).
const menu = (page: Page) => page.getByRole('banner').locator('.user-menu');

describe('every demo identity, through the real login', () => {
	for (const who of identities.filter((i) => i.status === 'confirmed')) {
		test(`${who.role}: sees their name, role and territory, and their token reaches the manifest`, async () => {
			const page = await freshPage();
			await loginAs(page, who.fiscal_code, '/auth/account');
			await expect.poll(() => menu(page).getAttribute('data-auth-status')).toBe('authenticated');
			expect(await menu(page).locator('[data-user-name]').textContent()).toBe(`${who.name} ${who.family_name}`);
			expect(await menu(page).locator('[data-user-role]').textContent()).toBe(ROLE_LABELS[who.role]);
			expect(await menu(page).locator('[data-user-territories]').getAttribute('data-user-territories')).toBe(who.territories.join(' '));
			expect(await page.locator('[data-territory-id]').getAttribute('data-territory-id')).toBe(who.territories[0]);

			const token = await accessTokenOf(page);
			const res = await fetch(`${baseURL}/extracts/manifest.json`, { headers: { authorization: `Bearer ${token}` } });
			expect(res.status).toBe(inject('hasExtracts') ? 200 : 404);
			if (inject('hasExtracts')) {
				// The home view opens on the user's own territory, named in the header.
				await page.goto(`${baseURL}/`);
				await page.locator('[data-territory]').first().waitFor({ timeout: 60_000 });
				expect(await page.locator('[data-territory]').first().getAttribute('data-territory')).toBe(who.territories[0]);
				await expect.poll(() => menu(page).locator('[data-user-territories]').textContent()).toContain(who.territoryName);
			}
			await page.close();
		});
	}
});

test('a pending user lands on the pending page, gets no session and reads no data', async () => {
	const page = await freshPage();
	const pending = identityOf(identities, 'pending');
	await page.goto(`${baseURL}/auth/login?returnTo=/`);
	await page.locator(`button[data-fiscal-code="${pending.fiscal_code}"]`).click();
	await page.getByRole('heading', { name: 'Accreditamento in attesa di conferma' }).waitFor();
	expect(page.url().startsWith(inject('idpURL'))).toBe(true);
	expect(await page.textContent('body')).toContain('Nessun dato è disponibile');

	await page.goto(`${baseURL}/auth/account`);
	await expect.poll(() => menu(page).getAttribute('data-auth-status')).toBe('anonymous');
	await expect(accessTokenOf(page)).rejects.toThrow(/no session/);
	expect((await fetch(`${baseURL}/extracts/manifest.json`)).status).toBe(401);
	await page.close();
});

test('a revoked user sees that the accreditation was revoked (typed in lower case)', async () => {
	const page = await freshPage();
	await page.goto(`${baseURL}/auth/login?returnTo=/`);
	await page.getByLabel('Codice fiscale').fill(identityOf(identities, 'revoked').fiscal_code.toLowerCase());
	await page.getByRole('button', { name: 'Entra', exact: true }).click();
	await page.getByRole('heading', { name: 'Accreditamento revocato' }).waitFor();
	await page.close();
});

test('logout ends the session in the app and at the provider', async () => {
	const page = await freshPage();
	await loginAs(page, identityOf(identities, 'regione').fiscal_code, '/auth/account');
	await menu(page).getByRole('button', { name: 'Esci' }).click();
	await page.waitForURL(`${baseURL}/`);
	await page.goto(`${baseURL}/auth/account`);
	await expect.poll(() => menu(page).getAttribute('data-auth-status')).toBe('anonymous');
	expect(await menu(page).getByRole('button', { name: 'Accedi' }).isVisible()).toBe(true);
	// The provider's session is gone too: logging in asks for the codice fiscale again.
	await menu(page).getByRole('button', { name: 'Accedi' }).click();
	await page.getByLabel('Codice fiscale').waitFor();
	expect(page.url().startsWith(inject('idpURL'))).toBe(true);
	await page.close();
});

test('logout leaves no data in the browser: the extracts in the Cache API, the version seen, the HTTP cache (Clear-Site-Data)', async () => {
	const page = await freshPage();
	await loginAs(page, identityOf(identities, 'ats_amministratore').fiscal_code, '/');
	const kept = () =>
		page.evaluate(async () => ({
			cached: (await caches.has('cruscotto-extracts-v1')) ? (await (await caches.open('cruscotto-extracts-v1')).keys()).length : 0,
			version: localStorage.getItem('cruscotto:data-version')
		}));
	// the first view's data is kept for the next visit
	await expect.poll(async () => (await kept()).cached, { timeout: 30_000 }).toBeGreaterThan(0);
	expect((await kept()).version).not.toBeNull();
	// logged out from another page, so that the return to "/" is a navigation to wait for
	await page.goto(`${baseURL}/auth/account`);
	await expect.poll(() => menu(page).getAttribute('data-auth-status')).toBe('authenticated');
	expect((await kept()).cached).toBeGreaterThan(0);
	const clear = page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/clear');
	await menu(page).getByRole('button', { name: 'Esci' }).click();
	const response = await clear;
	expect(response.status()).toBe(204);
	expect((await response.allHeaders())['clear-site-data']).toBe('"cache"');
	await page.waitForURL(`${baseURL}/`);
	expect(await kept()).toEqual({ cached: 0, version: null });
	await page.close();
});

describe('an expired session', () => {
	/** Marks the stored session as expired; optionally drops its refresh token. */
	const expire = (page: Page, dropRefresh: boolean) =>
		page.evaluate((drop) => {
			for (let i = 0; i < sessionStorage.length; i++) {
				const key = sessionStorage.key(i)!;
				if (!key.startsWith('oidc.user:')) continue;
				const user = JSON.parse(sessionStorage.getItem(key)!) as Record<string, unknown>;
				user.expires_at = Math.floor(Date.now() / 1000) - 60;
				if (drop) delete user.refresh_token;
				sessionStorage.setItem(key, JSON.stringify(user));
			}
		}, dropRefresh);

	test('renews silently with the refresh token: same view, new access token', async () => {
		const page = await freshPage();
		const who = identityOf(identities, 'ats_coordinatore');
		await loginAs(page, who.fiscal_code, '/auth/account?vista=1');
		const before = await accessTokenOf(page);
		await expect.poll(() => menu(page).getAttribute('data-auth-status')).toBe('authenticated');
		await expire(page, false);
		await page.reload();
		await expect.poll(() => menu(page).getAttribute('data-auth-status')).toBe('authenticated');
		expect(await menu(page).locator('[data-user-name]').textContent()).toBe(`${who.name} ${who.family_name}`);
		expect(await accessTokenOf(page)).not.toBe(before);
		expect(new URL(page.url()).search).toBe('?vista=1');
		await page.close();
	});

	test('without a refresh token, logging in again returns to the same view', async () => {
		const page = await freshPage();
		const who = identityOf(identities, 'ufficio_di_piano');
		await loginAs(page, who.fiscal_code, '/auth/account?vista=2');
		await expect.poll(() => menu(page).getAttribute('data-auth-status')).toBe('authenticated');
		await expire(page, true);
		await page.reload();
		await expect.poll(() => menu(page).getAttribute('data-auth-status')).toBe('anonymous');
		await menu(page).getByRole('button', { name: 'Accedi' }).click();
		// The provider session is still open: no form, straight back to the view.
		await page.waitForURL(`${baseURL}/auth/account?vista=2`);
		await expect.poll(() => menu(page).getAttribute('data-auth-status')).toBe('authenticated');
		expect(await menu(page).locator('[data-user-name]').textContent()).toBe(`${who.name} ${who.family_name}`);
		await page.close();
	});
});

describe('errors in Italian', () => {
	test('an unknown address: "Pagina non trovata" in the app\'s layout with a link home, signed in or not', async () => {
		const page = await freshPage();
		for (const path of ['/foo', '/confronto/xyz']) {
			await page.goto(`${baseURL}${path}`);
			await page.getByRole('heading', { name: 'Pagina non trovata' }).waitFor();
			expect(await page.textContent('body')).not.toContain('Not Found');
		}
		await loginAs(page, identityOf(identities, 'comune').fiscal_code, '/auth/account');
		await page.goto(`${baseURL}/confronto/xyz`);
		await expect.poll(() => menu(page).getAttribute('data-auth-status')).toBe('authenticated');
		await page.getByRole('heading', { name: 'Pagina non trovata' }).waitFor();
		expect(await page.getByRole('navigation', { name: 'Viste del cruscotto' }).count()).toBe(1);
		expect(await page.textContent('body')).not.toContain('Not Found');
		await page.getByRole('link', { name: 'Vai alla pagina iniziale' }).click();
		await page.waitForURL(`${baseURL}/`);
		await expect.poll(() => page.getByRole('heading', { name: 'Pagina non trovata' }).count()).toBe(0);
		await page.close();
	});

	test('the login callback opened again (a reload, a bookmark): an Italian message, the session kept, a link home', async () => {
		const page = await freshPage();
		const who = identityOf(identities, 'regione');
		await loginAs(page, who.fiscal_code, '/auth/account');
		// No state in the URL (a bookmark), and a state already used (a reload of the callback).
		for (const path of ['/auth/callback', '/auth/callback?code=used&state=0123456789abcdef0123456789abcdef']) {
			await page.goto(`${baseURL}${path}`);
			await page.getByRole('heading', { name: 'Accesso non riuscito' }).waitFor();
			expect(await page.locator('main').textContent()).toContain('Questo link di accesso non è più valido');
			await expect.poll(() => menu(page).getAttribute('data-auth-status')).toBe('authenticated');
			expect(await page.textContent('body')).not.toMatch(/No state in response|No matching state/);
		}
		await page.getByRole('link', { name: 'Vai alla pagina iniziale' }).click();
		await page.waitForURL(`${baseURL}/`);
		expect(await menu(page).locator('[data-user-name]').textContent()).toBe(`${who.name} ${who.family_name}`);
		await page.close();

		// Without a session: the same message, and a way to log in again.
		const anon = await freshPage();
		await anon.goto(`${baseURL}/auth/callback`);
		await anon.getByRole('heading', { name: 'Accesso non riuscito' }).waitFor();
		expect(await anon.locator('main').textContent()).toContain('Questo link di accesso non è più valido');
		await expect.poll(() => menu(anon).getAttribute('data-auth-status')).toBe('anonymous');
		expect(await anon.textContent('body')).not.toMatch(/No state in response/);
		await anon.getByRole('button', { name: 'Accedi di nuovo' }).click();
		await anon.getByLabel('Codice fiscale').waitFor();
		await anon.close();
	});
});
