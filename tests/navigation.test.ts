/**
 * Moving between territories on the territory views (Il mio territorio, Andamento,
 * Caratteristiche) through the real login: the breadcrumb Italia › Regione › ATS › Comune links
 * only where the user may go, the picker offers exactly what the gateway serves to the user's
 * token (type-ahead, keyboard), the choice lands in `?t=` and Back returns. And a publish while
 * a page is open: the old versioned paths are refused, the app fetches the manifest again and
 * carries on, or says in Italian that the data were updated.
 */
import { cp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Manifest, SummaryFile } from '../contracts/index.ts';
import { launchBrowser } from './support/browser.ts';
import { accessTokenOf, loginAs } from './support/login.ts';
import { identityOf, startTestStack, type TestStack } from './support/stack.ts';
import { newVersion, prune, publish, readManifest } from '../data-pipeline/publish.ts';

const baseURL = inject('baseURL');
const identities = inject('identities');

let browser: Awaited<ReturnType<typeof launchBrowser>>;
beforeAll(async () => {
	browser = await launchBrowser();
});
afterAll(async () => browser?.close());

async function session(role: 'regione' | 'ats_amministratore' | 'comune', returnTo: string): Promise<Page> {
	const page = await browser.context.newPage();
	await loginAs(page, identityOf(identities, role).fiscal_code, returnTo);
	await page.locator('html[data-ready="true"]').waitFor({ timeout: 60_000 });
	return page;
}

/**
 * The territories the gateway serves this page's token: the scopes of its extract files, less
 * Italia (every token reads italia.parquet for the benchmarks; only national users view Italia).
 */
async function servedScopes(page: Page): Promise<Set<string>> {
	const res = await fetch(`${baseURL}/extracts/manifest.json`, { headers: { authorization: `Bearer ${await accessTokenOf(page)}` } });
	const manifest = (await res.json()) as Manifest;
	return new Set(manifest.files.filter((f) => f.kind === 'extract' && f.scope !== 'it').map((f) => f.scope));
}

const crumbs = (page: Page) =>
	page.locator('nav[aria-label="Percorso territoriale"] [data-territory-crumb]').evaluateAll((els) =>
		els.map((e) => ({ id: e.getAttribute('data-territory-crumb'), link: e.tagName === 'A', text: (e.textContent ?? '').trim() }))
	);
const optionIds = (page: Page) => page.locator('[role="option"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-territory-option')!));

/** The names of `ids` as the published summaries of the test extracts hold them. */
async function namesOf(ids: string[]): Promise<string[]> {
	const dir = inject('extractsDir');
	const manifest = readManifest(dir)!;
	return Promise.all(
		ids.map(async (id) => {
			const f = manifest.files.find((x) => x.kind === 'summary' && x.scope === id && !x.path.includes('/benchmarks/'))!;
			return (JSON.parse(await readFile(path.join(dir, f.path), 'utf8')) as SummaryFile).territory.name;
		})
	);
}

async function axe(page: Page) {
	const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
	return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe.runIf(inject('hasExtracts'))('territory navigation', () => {
	test('regione: type-ahead over the Regione, its ATS and Comuni only; the choice is in the URL and Back returns', async () => {
		const regione = identityOf(identities, 'regione').territories[0];
		const comune = identityOf(identities, 'comune');
		const page = await session('regione', '/andamento?indicatore=persone');
		await expect.poll(() => crumbs(page), { timeout: 30_000 }).toEqual([
			{ id: 'it', link: false, text: 'Italia' },
			{ id: regione, link: false, text: expect.any(String) }
		]);

		const box = page.getByRole('combobox', { name: 'Cambia territorio' });
		// A closed list has no options in the page (the view's mount does not draw them).
		expect(await page.locator('[role="option"]').count()).toBe(0);
		await box.click();
		// The first focus loads the names of the Regione's territories (its extract).
		await expect.poll(() => page.locator('[role="option"]').count(), { timeout: 60_000 }).toBeGreaterThan(1);
		const served = await servedScopes(page);
		// An empty box lists the Regione and its ATS; the Comuni come by typing.
		const first = await optionIds(page);
		expect(first[0]).toBe(regione);
		expect(first.every((id) => !id.startsWith('c:') && served.has(id))).toBe(true);

		const name = comune.territoryName;
		await box.pressSequentially(name.slice(0, 4).toLowerCase());
		await expect.poll(() => optionIds(page), { timeout: 30_000 }).toContain(comune.territories[0]);
		const typed = await optionIds(page);
		expect(typed.every((id) => served.has(id))).toBe(true);
		expect(typed.length).toBeLessThanOrEqual(60);
		expect(await axe(page)).toEqual([]); // with the listbox open

		await box.fill(name);
		await page.keyboard.press('ArrowDown');
		expect(await page.locator('[role="option"][aria-selected="true"]').getAttribute('data-territory-option')).toBe(comune.territories[0]);
		await page.keyboard.press('Enter');
		await page.waitForURL((u) => u.searchParams.get('t') === comune.territories[0] && u.searchParams.get('indicatore') === 'persone');
		await page.locator(`[data-territory="${comune.territories[0]}"]`).waitFor();
		await expect.poll(async () => (await crumbs(page)).length, { timeout: 30_000 }).toBe(4);
		const trail = await crumbs(page);
		expect(trail.map((c) => c.id)).toEqual(['it', regione, expect.stringMatching(/^a:/), comune.territories[0]]);
		expect(trail.map((c) => c.link)).toEqual([false, true, true, false]);
		await expect.poll(async () => (await crumbs(page))[2].text, { timeout: 30_000 }).not.toMatch(/^ATS /); // the ATS by name, not by code
		expect(await page.locator('[aria-current="page"][data-territory-crumb]').textContent()).toBe(name);

		// Up one step through the breadcrumb, then Back twice to where we started.
		await page.locator(`a[data-territory-crumb="${trail[2].id}"]`).click();
		await page.waitForURL((u) => u.searchParams.get('t') === trail[2].id);
		await page.locator(`[data-territory="${trail[2].id}"]`).waitFor();
		await page.goBack();
		await page.locator(`[data-territory="${comune.territories[0]}"]`).waitFor();
		await page.goBack();
		await page.locator(`[data-territory="${regione}"]`).waitFor();
		expect(new URL(page.url()).searchParams.get('t')).toBeNull();
		await page.close();
	});

	test('ats: the picker lists the ATS and exactly its Comuni; the Regione is context, not a link', async () => {
		const ats = identityOf(identities, 'ats_amministratore').territories[0];
		const page = await session('ats_amministratore', '/caratteristiche');
		await expect.poll(async () => (await crumbs(page)).length, { timeout: 30_000 }).toBe(3);
		const trail = await crumbs(page);
		expect(trail.map((c) => c.link)).toEqual([false, false, false]);
		expect(trail.map((c) => c.id)).toEqual(['it', expect.stringMatching(/^r:/), ats]);

		await page.getByRole('combobox', { name: 'Cambia territorio' }).click();
		const served = await servedScopes(page);
		await expect.poll(async () => new Set(await optionIds(page)), { timeout: 60_000 }).toEqual(served);
		expect([...served].some((id) => id.startsWith('r:'))).toBe(false);
		await page.keyboard.press('Escape');
		await expect.poll(() => page.locator('[role="listbox"]').isVisible()).toBe(false);
		expect(await page.locator('[role="option"]').count()).toBe(0);
		await page.close();
	});

	test('comune: nothing to pick; the breadcrumb is context only', async () => {
		const comune = identityOf(identities, 'comune').territories[0];
		const page = await session('comune', '/');
		await expect.poll(async () => (await crumbs(page)).length, { timeout: 30_000 }).toBe(4);
		expect(await page.getByRole('combobox', { name: 'Cambia territorio' }).count()).toBe(0);
		const trail = await crumbs(page);
		expect(trail.map((c) => c.id)).toEqual(['it', expect.stringMatching(/^r:/), expect.stringMatching(/^a:/), comune]);
		expect(trail.some((c) => c.link)).toBe(false);
		// Names, not codes: the ATS's from the Comune's own summary (its user reads no ATS file).
		const names = await namesOf(trail.map((c) => c.id!));
		await expect.poll(async () => (await crumbs(page)).map((c) => c.text), { timeout: 30_000 }).toEqual(names);
		expect(await axe(page)).toEqual([]);
		await page.close();
	});
	test('comune: the account page and the header name the territory, not its code', async () => {
		const comune = identityOf(identities, 'comune');
		const page = await browser.context.newPage();
		await loginAs(page, comune.fiscal_code, '/auth/account');
		const item = page.locator(`[data-territory-id="${comune.territories[0]}"]`);
		await expect.poll(async () => (await item.textContent())?.trim(), { timeout: 30_000 }).toBe(`${comune.territoryName} ${comune.territories[0]}`);
		await expect.poll(async () => (await page.locator('[data-user-territories]').textContent())?.trim()).toBe(comune.territoryName);
		await page.close();
	});
});

describe.runIf(inject('hasExtracts'))('a territory outside the accreditation', () => {
	/**
	 * Opens `path` in `page`: an Italian notice that the territory is not part of the user's
	 * accreditation, nothing of it on screen (no title, figures, table) and no "Riprova"; its
	 * link opens the same view on the user's own territory.
	 */
	async function refused(page: Page, path: string, own: string, a11y = false) {
		await page.goto(`${baseURL}${path}`);
		const notice = page.locator('[data-out-of-scope]');
		await notice.waitFor({ timeout: 20_000 });
		expect(await notice.getByRole('alert').textContent()).toMatch(/^Questo territorio \(.+\) non rientra nel tuo accreditamento\.$/);
		const main = page.locator('main');
		expect(await main.locator('[data-territory], [data-kpi], table, svg').count()).toBe(0);
		expect(await main.getByRole('button', { name: 'Riprova' }).count()).toBe(0);
		expect(await main.textContent()).not.toContain('Si è verificato un problema');
		if (a11y) expect(await axe(page)).toEqual([]);
		await notice.getByRole('link', { name: 'Torna al tuo territorio' }).click();
		await page.waitForURL((u) => u.pathname === new URL(path, baseURL).pathname && u.searchParams.get('t') === null);
		await page.locator(`main [data-territory="${own}"]`).first().waitFor({ timeout: 60_000 });
		expect(await page.locator('[data-out-of-scope]').count()).toBe(0);
	}

	test('comune: Italia, its Regione and another Comune are refused in every view', async () => {
		const own = identityOf(identities, 'comune').territories[0];
		const page = await session('comune', '/');
		await refused(page, '/?t=it', own, true);
		for (const path of ['/andamento?t=it', '/caratteristiche?t=it', '/confronto?t=it', '/andamento?t=r:15', '/?t=c:063049']) await refused(page, path, own);
		await page.close();
	});

	test('ats and regione: Italia is refused (only national users view it), and so is another Regione', async () => {
		const ats = await session('ats_amministratore', '/');
		for (const path of ['/andamento?t=it', '/confronto?t=it']) await refused(ats, path, identityOf(identities, 'ats_amministratore').territories[0]);
		await ats.close();
		const regione = await session('regione', '/');
		for (const path of ['/?t=it', '/confronto?t=it', '/?t=r:03']) await refused(regione, path, identityOf(identities, 'regione').territories[0]);
		await regione.close();
	});
});

/** Publishes the current version again under a new name (same bytes, new paths) and prunes the old one, as a monthly run does. */
async function republish(dir: string): Promise<string> {
	const current = readManifest(dir)!;
	const version = newVersion(dir, new Date(Date.parse(current.published_at) + 60_000));
	const staging = path.join(dir, `.staging-${version}`);
	await cp(path.join(dir, current.version), staging, { recursive: true });
	const files = current.files.map((f) => ({ ...f, path: `${version}/${f.path.slice(current.version.length + 1)}` }));
	publish(dir, staging, { ...current, version, published_at: new Date().toISOString(), files });
	prune(dir, 1, version);
	return version;
}

/** The login of tests/support/login.ts, on another stack. */
async function loginAt(page: Page, stack: TestStack, fiscalCode: string, returnTo: string) {
	await page.goto(`${stack.appURL}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
	await page.getByLabel('Codice fiscale').fill(fiscalCode);
	await page.getByRole('button', { name: 'Entra', exact: true }).click();
	await page.waitForURL((u) => u.origin === stack.appURL && u.pathname === returnTo);
}

async function pick(page: Page, name: string) {
	const box = page.getByRole('combobox', { name: 'Cambia territorio' });
	await box.click();
	await box.fill(name);
	await page.locator('[role="option"]', { hasText: name }).first().waitFor({ timeout: 60_000 });
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press('Enter');
}

// A stack of its own: the test publishes into its extracts folder while the other suites read theirs.
describe.runIf(inject('hasExtracts'))('a publish while a page is open', () => {
	let stack: TestStack;
	beforeAll(async () => {
		stack = await startTestStack();
	});
	afterAll(async () => stack?.close());

	test('ministero: the old paths are refused, the manifest is fetched again once and the view opens; if the new files fail too, an Italian message says the data were updated', async () => {
		const page = await browser.context.newPage();
		const requests: string[] = [];
		page.on('request', (r) => requests.push(new URL(r.url()).pathname));
		await loginAt(page, stack, identityOf(stack.identities, 'ministero').fiscal_code, '/');
		await page.locator('.kpis[data-source="duckdb"]').waitFor({ timeout: 60_000 });
		const manifests = () => requests.filter((p) => p === '/extracts/manifest.json').length;
		const before = manifests();

		const v2 = await republish(stack.extractsDir);
		// (Campania's first DuckDB figures come from italia.parquet, before its own file: wait for that file)
		const v2File = page.waitForRequest((r) => new URL(r.url()).pathname === `/extracts/${v2}/regione/15.parquet`, { timeout: 60_000 });
		await pick(page, 'Campania');
		await page.locator('[data-territory="r:15"]').waitFor();
		await v2File;
		await page.locator('.kpis[data-source="duckdb"]').waitFor({ timeout: 60_000 });
		expect(await page.locator('[role="alert"]').count()).toBe(0);
		expect(manifests()).toBe(before + 1);
		expect(requests).toContain(`/extracts/${v2}/regione/15.parquet`);
		// The page says so, and the footer shows the version now in use.
		expect(await page.locator(`[role="status"][data-data-updated="${v2}"]`).textContent()).toContain('I dati sono stati aggiornati');
		expect(await page.locator('[data-extract-version]').getAttribute('data-extract-version')).toBe(v2);

		// A second publish whose Lombardia file cannot be read: the user is told why, in Italian.
		const v3 = await republish(stack.extractsDir);
		await rm(path.join(stack.extractsDir, v3, 'regione', '03.parquet'));
		await pick(page, 'Lombardia');
		await page.locator('[data-territory="r:03"]').waitFor();
		// Lombardia's indicators come first from italia.parquet, which still reads: the view is whole.
		await page.locator('.kpis[data-source="duckdb"]').waitFor({ timeout: 60_000 });
		// Confronto needs Lombardia's own file, the one that cannot be read.
		await page.getByRole('link', { name: 'Confronto' }).click();
		const alert = page.locator('[role="alert"]');
		await alert.waitFor({ timeout: 30_000 });
		expect(await alert.textContent()).toContain('I dati sono stati aggiornati: ');
		expect(await alert.getByRole('button', { name: 'Riprova' }).count()).toBe(1);
		await page.close();
	});
});
