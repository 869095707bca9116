/** Real logins in Chromium through the local provider's login page. */
import type { Page } from 'playwright-core';
import { inject } from 'vitest';

/**
 * Opens `returnTo` through the app's login link, types the codice fiscale into the provider's
 * "Codice fiscale" field, presses "Entra" and waits until the app is back on `returnTo`.
 * Clears the context's cookies first (the provider session), so it always asks for the form.
 */
export async function loginAs(page: Page, fiscalCode: string, returnTo = '/'): Promise<void> {
	const baseURL = inject('baseURL');
	// An open provider session would sign the previous user straight back in, without the form.
	await page.context().clearCookies();
	await page.goto(`${baseURL}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
	await page.getByLabel('Codice fiscale').waitFor();
	await page.getByLabel('Codice fiscale').fill(fiscalCode);
	await page.getByRole('button', { name: 'Entra', exact: true }).click();
	const target = new URL(returnTo, baseURL);
	await page.waitForURL((url) => url.origin === target.origin && url.pathname === target.pathname && url.search === target.search);
}

/** The access token the app holds in this page (for direct requests to the gateway). */
export async function accessTokenOf(page: Page): Promise<string> {
	const token = await page.evaluate(() => {
		for (let i = 0; i < sessionStorage.length; i++) {
			const key = sessionStorage.key(i)!;
			if (key.startsWith('oidc.user:')) return (JSON.parse(sessionStorage.getItem(key)!) as { access_token: string }).access_token;
		}
		return null;
	});
	if (!token) throw new Error('no session in this page');
	return token;
}
