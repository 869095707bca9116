/**
 * The gateway's Content-Security-Policy as the browser applies it (docs/gateway.md "Security
 * headers"): a login, the callback's inline engine script, DuckDB-WASM in its worker and the
 * first view run without one violation, while the policy still blocks an injected inline script.
 */
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchBrowser } from './support/browser.ts';
import { loginAs } from './support/login.ts';
import { identityOf } from './support/stack.ts';

const identities = inject('identities');

let browser: Awaited<ReturnType<typeof launchBrowser>>;
beforeAll(async () => {
	browser = await launchBrowser();
});
afterAll(async () => browser?.close());

/** Runs in every document before its scripts: keeps each CSP violation in sessionStorage (survives the login's navigations). */
function recordViolations(): void {
	document.addEventListener('securitypolicyviolation', (e) => {
		const seen = JSON.parse(sessionStorage.getItem('__csp') ?? '[]') as string[];
		seen.push(`${location.pathname}: ${e.effectiveDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
		sessionStorage.setItem('__csp', JSON.stringify(seen));
	});
}

describe.runIf(inject('hasExtracts'))('CSP', () => {
	test('login, callback and the first view with DuckDB run with no violation; an injected inline script stays blocked', async () => {
		const page = await browser.context.newPage();
		const console: string[] = [];
		page.on('console', (m) => {
			if (/Content Security Policy/i.test(m.text())) console.push(m.text());
		});
		await page.addInitScript(recordViolations);
		await loginAs(page, identityOf(identities, 'ats_amministratore').fiscal_code, '/');
		await page.locator('.kpis[data-source="duckdb"]').waitFor({ timeout: 60_000 });
		const violations = await page.evaluate(() => JSON.parse(sessionStorage.getItem('__csp') ?? '[]') as string[]);
		expect(violations).toEqual([]);
		expect(console).toEqual([]);

		// The control: the policy is in force and the recorder sees what it blocks (an inline script
		// that is not the page's own, as an injected territory name would try to be).
		const ran = await page.evaluate(() => {
			const s = document.createElement('script');
			s.textContent = 'window.__injected = true';
			document.head.append(s);
			return (window as unknown as { __injected?: boolean }).__injected ?? false;
		});
		expect(ran).toBe(false);
		await expect.poll(() => page.evaluate(() => JSON.parse(sessionStorage.getItem('__csp') ?? '[]') as string[])).toEqual([expect.stringMatching(/^\/: script-src-elem inline /)]);
		await page.close();
	});
});
