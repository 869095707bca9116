import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { launchBrowser } from './support/browser.ts';

let browser: Awaited<ReturnType<typeof launchBrowser>>;
beforeAll(async () => {
	browser = await launchBrowser();
});
afterAll(async () => browser?.close());

test('the built app opens in Chromium and shows its name in Italian', async () => {
	const page = await browser.context.newPage();
	await page.goto(inject('baseURL'));
	await expect
		.poll(() => page.locator('html').getAttribute('data-ready'), { timeout: 15_000 })
		.toBe('true');
	expect(await page.locator('h1').textContent()).toContain('Cruscotto');
	expect(await page.getAttribute('html', 'lang')).toBe('it');
});

test('a client route deep link is served the app shell (SPA fallback)', async () => {
	const page = await browser.context.newPage();
	const res = await page.goto(new URL('/confronto?indicatore=nuclei', inject('baseURL')).href);
	expect(res?.status()).toBe(200);
	expect(await res?.headerValue('content-type')).toContain('text/html');
});
