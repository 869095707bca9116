/**
 * The dashboard's territory views through the real login, for a Regione, an ATS and a Comune
 * user: the KPI values, a point of the series and a suppressed cell equal what DuckDB in Node
 * computes from the same extract; a shared URL reopens the same view; the CSV export holds
 * the table on screen; axe finds no violations; nothing is fetched from any host but the
 * gateway (and the identity provider, for the login itself).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchBrowser } from './support/browser.ts';
import { loginAs } from './support/login.ts';
import { identityOf } from './support/stack.ts';
import type { Manifest } from '../contracts/index.ts';
import { countText, expectedKpis, oracleFor, suppressedComuneMonth, type Oracle } from './dashboard-oracle.ts';

const baseURL = inject('baseURL');
const identities = inject('identities');
const extractsDir = inject('extractsDir');

let browser: Awaited<ReturnType<typeof launchBrowser>>;
const blocked: string[] = [];

/** Every request to a host other than the gateway and the identity provider is aborted and recorded. */
async function blockOthers(context: BrowserContext) {
	const allowed = new Set([new URL(baseURL).origin, new URL(inject('idpURL')).origin]);
	await context.route('**/*', (route) => {
		const url = new URL(route.request().url());
		if (allowed.has(url.origin) || url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
		blocked.push(url.href);
		return route.abort('blockedbyclient');
	});
}

beforeAll(async () => {
	browser = await launchBrowser();
	await blockOthers(browser.context);
});
afterAll(async () => browser?.close());

const it = (s: string | null) => (s ?? '').replace(/[\u00a0\u202f]/g, ' ').trim();
const fmtInt = (n: number) => new Intl.NumberFormat('it-IT', { useGrouping: 'always' }).format(n);
const MONTHS = ['gen', 'feb', 'mar', 'apr', 'mag', 'giu', 'lug', 'ago', 'set', 'ott', 'nov', 'dic'];
const shortMonth = (m: string) => `${MONTHS[Number(m.slice(5)) - 1]} ${m.slice(0, 4)}`;

async function newSession(role: 'regione' | 'ats_amministratore' | 'comune', returnTo = '/'): Promise<Page> {
	await browser.context.clearCookies();
	const page = await browser.context.newPage();
	await loginAs(page, identityOf(identities, role).fiscal_code, returnTo);
	return page;
}

/** Waits until the KPI cards come from DuckDB (the engine took over from the summary). */
async function untilDuckDb(page: Page) {
	await page.locator('.kpis[data-source="duckdb"]').waitFor({ timeout: 60_000 });
}

async function kpiValue(page: Page, k: string): Promise<string | null> {
	return page.locator(`[data-kpi="${k}"]`).getAttribute('data-value');
}

async function checkKpis(page: Page, o: Oracle, t: string) {
	const exp = await expectedKpis(o, t);
	expect(await page.locator('[data-territory]').getAttribute('data-territory')).toBe(t);
	expect(await kpiValue(page, 'nuclei')).toBe(exp.nuclei === null ? '' : String(exp.nuclei));
	expect(await kpiValue(page, 'persone')).toBe(exp.persone === null ? '' : String(exp.persone));
	for (const k of ['importo_medio', 'nuclei_per_1000'] as const) {
		const shown = await kpiValue(page, k);
		if (exp[k] === null) expect(shown).toBe('');
		else expect(Number(shown)).toBeCloseTo(exp[k] as number, 6);
	}
	// hidden: "< 3" for one measure suppressed as under 3 households, else "n.d." (a sum with a hidden part, a secondary suppression)
	const hidden = exp.parts === 1 && exp.nuclei_primary ? '< 3' : 'n.d.';
	expect(it(await page.locator('[data-kpi="nuclei"]').textContent())).toBe(exp.nuclei === null ? hidden : fmtInt(exp.nuclei));
	expect(await page.locator('html').getAttribute('data-ready')).toBe('true');
}

async function axe(page: Page) {
	const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
	return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe.runIf(inject('hasExtracts'))('territory views', () => {
	for (const role of ['regione', 'ats_amministratore', 'comune'] as const) {
		test(`${role}: KPI cards and a series point equal DuckDB in Node on the same extract; no axe violations`, async () => {
			const who = identityOf(identities, role);
			const t = who.territories[0];
			const o = await oracleFor(extractsDir, t);
			try {
				const page = await newSession(role);
				await page.locator('[data-kpi="nuclei"]').waitFor();
				await checkKpis(page, o, t); // from the first-view summary
				await untilDuckDb(page);
				await checkKpis(page, o, t); // the same numbers from DuckDB
				expect(await axe(page)).toEqual([]);

				await page.getByRole('link', { name: 'Andamento' }).click();
				await page.waitForURL((u) => u.pathname === '/andamento');
				// Andamento draws its data table when the user opens it.
				await page.locator('[data-chart="andamento-misure"] summary').click();
				const cell = page.locator(`[data-chart="andamento-misure"] tbody tr:has(th:text-is("${shortMonth('2023-06')}")) td[data-col="RdC"]`);
				expect(it(await cell.textContent())).toBe(await countText(o, t, 'RdC', '2023-06', 'nuclei'));
				expect(await axe(page)).toEqual([]);

				await page.getByRole('link', { name: 'Caratteristiche dei nuclei' }).click();
				await page.locator('[data-chart="composizione"]').waitFor({ timeout: 60_000 });
				expect(await axe(page)).toEqual([]);
				await page.close();
			} finally {
				o.close();
			}
		});
	}

	test('ats: a suppressed Comune month reads "< 3" with the confidentiality note, never 0', async () => {
		const o = await oracleFor(extractsDir, identityOf(identities, 'ats_amministratore').territories[0]);
		try {
			const hit = await suppressedComuneMonth(o);
			expect(hit, 'the demo ATS has a suppressed Comune month').not.toBeNull();
			const page = await newSession('ats_amministratore', `/?t=${encodeURIComponent(hit!.id)}`);
			await untilDuckDb(page);
			// The home view draws its data table when the user opens it.
			await page.locator('[data-chart="nuclei-mese"] summary').click();
			const row = page.locator(`[data-chart="nuclei-mese"] tbody tr:has(th:text-is("${shortMonth(hit!.month)}"))`);
			expect(it(await row.locator('td[data-col="nuclei"]').textContent())).toBe('< 3');
			expect(await row.locator('td[data-col="nuclei"]').getAttribute('data-suppressed')).toBe('true');
			expect(await page.locator('[data-confidentiality-note]').count()).toBeGreaterThan(0);
			await page.close();
		} finally {
			o.close();
		}
	});

	test('regione: a shared URL reopens the same view in a new session', async () => {
		const regione = identityOf(identities, 'regione');
		const first = await newSession('regione');
		await untilDuckDb(first);
		await first.getByRole('link', { name: 'Andamento' }).click();
		await first.getByLabel('Indicatore').selectOption('persone');
		await first.getByLabel('Misura per il confronto').selectOption('ADI');
		await first.waitForURL((u) => u.searchParams.get('misura') === 'ADI' && u.searchParams.get('indicatore') === 'persone');
		const shared = first.url().replace(baseURL, '');
		// Andamento draws its data tables when the user opens them.
		for (const id of ['andamento-misure', 'andamento-confronto']) await first.locator(`[data-chart="${id}"] summary`).click();
		const caption = it(await first.locator('[data-chart="andamento-misure"] caption').textContent());
		const firstRow = it(await first.locator('[data-chart="andamento-confronto"] tbody tr').last().textContent());
		await first.goBack();
		await first.waitForURL((u) => u.searchParams.get('misura') !== 'ADI');
		// the select follows the URL on the next render: poll rather than read once
		await expect.poll(() => first.getByLabel('Misura per il confronto').inputValue()).toBe('totale');
		await first.close();

		const second = await newSession('regione', shared);
		expect(await second.getByLabel('Indicatore').inputValue()).toBe('persone');
		expect(await second.getByLabel('Misura per il confronto').inputValue()).toBe('ADI');
		expect(await second.locator('[data-territory]').getAttribute('data-territory')).toBe(regione.territories[0]);
		for (const id of ['andamento-misure', 'andamento-confronto']) await second.locator(`[data-chart="${id}"] summary`).click();
		await second.locator('[data-chart="andamento-misure"] caption').waitFor({ state: 'attached' });
		expect(it(await second.locator('[data-chart="andamento-misure"] caption').textContent())).toBe(caption);
		expect(it(await second.locator('[data-chart="andamento-confronto"] tbody tr').last().textContent())).toBe(firstRow);
		await second.close();
	});

	test('comune: the CSV export holds the table on screen, and the page fits 390 px', async () => {
		const page = await newSession('comune');
		await untilDuckDb(page);
		const frame = page.locator('[data-chart="nuclei-mese"]');
		await frame.locator('summary').click();
		const [download] = await Promise.all([page.waitForEvent('download'), frame.locator('[data-export="csv"]').click()]);
		expect(download.suggestedFilename()).toMatch(/^cruscotto_.+_nuclei_\d{4}-\d{2}-\d{4}-\d{2}\.csv$/);
		const csv = (await readFile((await download.path())!, 'utf8')).replace(/^\ufeff/, '').trimEnd().split('\r\n');
		const shown = await frame.locator('table').evaluate((table) =>
			[...table.querySelectorAll('tr')].map((tr) => [...tr.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').trim()).join(';'))
		);
		expect(csv).toEqual(shown);
		expect(csv.length).toBeGreaterThan(12);

		await page.setViewportSize({ width: 390, height: 844 });
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
		await page.close();
	});

	test('ats: Caratteristiche shows SFL on its own (recipients as persone, households with a recipient as nuclei), equal to DuckDB in Node', async () => {
		const t = identityOf(identities, 'ats_amministratore').territories[0];
		const o = await oracleFor(extractsDir, t);
		try {
			const [last] = await o.rows(`SELECT strftime(max(month), '%Y-%m') AS m FROM f WHERE territory_id = ? AND measure = 'SFL'`, [t]);
			const month = String(last.m);
			const page = await newSession('ats_amministratore', '/caratteristiche?misura=SFL');
			const frame = page.locator('[data-chart="sfl"]');
			await frame.waitFor({ timeout: 60_000 });
			expect(await page.locator('[data-chart="composizione"]').count()).toBe(0); // no household characteristics for SFL
			const row = frame.locator('tbody tr').first();
			for (const col of ['persone', 'nuclei'] as const) {
				expect(it(await row.locator(`td[data-col="${col}"]`).textContent())).toBe(await countText(o, t, 'SFL', month, col));
			}
			// With the household measures chosen, SFL stays a separate frame and the totals leave it out.
			await page.getByLabel('Misura', { exact: true }).selectOption('totale');
			await page.locator('[data-chart="composizione"]').waitFor({ timeout: 60_000 });
			expect(await page.locator('[data-chart="sfl"]').count()).toBe(1);
			expect(await axe(page)).toEqual([]);
			await page.close();
		} finally {
			o.close();
		}
	});

	test('regione: Caratteristiche opened from a bookmark draws the households\' characteristics, no error', async () => {
		// The Regione's series come from italia.parquet before its own file is in the table: the
		// categories must wait for the table (they once queried it first: "Si è verificato un problema").
		const page = await newSession('regione', '/caratteristiche');
		await page.locator('[data-chart="composizione"]').waitFor({ timeout: 60_000 });
		for (const id of ['ampiezza', 'cittadinanza', 'percorso']) expect(await page.locator(`[data-chart="${id}"]`).count()).toBe(1);
		expect(await page.getByRole('alert').count()).toBe(0);
		// every category label is whole, left of the axis inside its chart (long ones once ran off the left edge)
		const cut = await page.locator('[data-chart] svg text[text-anchor="end"]').evaluateAll((els) =>
			els.filter((e) => e.getBoundingClientRect().left < e.closest('svg')!.getBoundingClientRect().left - 0.5).map((e) => e.textContent)
		);
		expect(cut).toEqual([]);
		await page.close();
	});

	test('regione: Caratteristiche with a month the measure was not paid shows its last month, and the URL says so without a history entry', async () => {
		const page = await newSession('regione', '/caratteristiche?misura=ADI&mese=2022-01');
		const entries = await page.evaluate(() => history.length);
		await page.locator('[data-chart="composizione"]').waitFor({ timeout: 60_000 });
		const shown = await page.getByLabel('Mese', { exact: true }).inputValue();
		expect(shown).not.toBe('2022-01');
		await page.waitForURL((u) => u.searchParams.get('mese') === shown);
		expect(new URL(page.url()).searchParams.get('misura')).toBe('ADI');
		expect(await page.evaluate(() => history.length)).toBe(entries);
		await page.close();
	});

	test('ministero: a Comune outside the Regioni published in detail (Milano), opened from a link and reloaded, shows its figures from its Regione\'s file, equal to DuckDB in Node', async () => {
		const t = 'c:015146';
		// The premise: the demo publishes no file of its own (nor a summary) for it, and its Regione's file holds it.
		const manifest = JSON.parse(await readFile(path.join(extractsDir, 'manifest.json'), 'utf8')) as Manifest;
		expect(manifest.files.filter((f) => f.scope === t)).toEqual([]);
		const o = await oracleFor(extractsDir, 'r:03');
		try {
			await browser.context.clearCookies();
			const page = await browser.context.newPage();
			// Everything the page says while it loads: the loading line, and any alert (an error).
			await page.addInitScript(() => {
				const seen = ((window as unknown as { seen: string[] }).seen = [] as string[]);
				new MutationObserver(() => {
					for (const el of document.querySelectorAll('[role="alert"], [aria-live="polite"]')) {
						const text = (el.textContent ?? '').trim();
						if (text && !seen.includes(text)) seen.push(text);
					}
				}).observe(document, { subtree: true, childList: true, characterData: true });
			});
			await loginAs(page, identityOf(identities, 'ministero').fiscal_code, `/?t=${t}`);
			for (const pass of ['link', 'reload']) {
				if (pass === 'reload') await page.reload();
				await untilDuckDb(page);
				await checkKpis(page, o, t);
				expect(it(await page.locator('h1[data-territory]').textContent())).toBe('Milano');
				// Its benchmarks beside each figure: its Regione and Italia, from the same file.
				const cards = it(await page.locator('.kpis').textContent());
				expect(cards).toContain('Lombardia');
				expect(cards).toContain('Italia');
				const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
				expect(seen, pass).toContain('Caricamento degli indicatori…');
				expect(seen.filter((x) => /problema|Non ci sono dati/.test(x)), pass).toEqual([]);
				expect(await page.getByRole('alert').count()).toBe(0);
			}
			// The other views of the same Comune read the same file.
			await page.getByRole('link', { name: 'Andamento' }).click();
			await page.locator('[data-chart="andamento-misure"] svg[role="img"] path[fill="none"]').first().waitFor({ timeout: 60_000 });
			expect(await page.getByRole('alert').count()).toBe(0);
			await page.close();
		} finally {
			o.close();
		}
	});

	test('no request left for any host but the gateway and the identity provider', () => {
		expect(blocked).toEqual([]);
	});
});
