/**
 * A single measure's count hidden by the pipeline reads "< 3" only when it is known to describe
 * 1 or 2 households (primary suppression) and "n.d." when it is hidden to protect another cell
 * (secondary suppression: it may be 40). Checked for an ATS user on two Comuni of the demo ATS
 * whose ADI count in the last month is hidden, one of each kind (found with DuckDB in Node from
 * the same extract): the KPI cards from the first-view summary (DuckDB-WASM held back) and from
 * DuckDB, the home chart's readout and table, Andamento's table and Confronto's table.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchBrowser } from './support/browser.ts';
import { loginAs } from './support/login.ts';
import { identityOf } from './support/stack.ts';
import { comuniSuppressedAs, oracleFor, type Oracle } from './dashboard-oracle.ts';

const identities = inject('identities');
const extractsDir = inject('extractsDir');
const atsUser = identityOf(identities, 'ats_amministratore');
const ats = atsUser.territories[0];

let browser: Awaited<ReturnType<typeof launchBrowser>>;
let oracle: Oracle;
/** One Comune of each kind, with the month (the last ADI month) and the text it must show. */
let cells: { id: string; name: string; month: string; kind: string; text: string }[];

beforeAll(async () => {
	browser = await launchBrowser();
	oracle = await oracleFor(extractsDir, ats);
	const [primary] = await comuniSuppressedAs(oracle, 'primari');
	const [secondary] = await comuniSuppressedAs(oracle, 'secondari');
	cells = [
		...(primary ? [{ ...primary, kind: 'primary', text: '< 3' }] : []),
		...(secondary ? [{ ...secondary, kind: 'secondary', text: 'n.d.' }] : [])
	];
});
afterAll(async () => {
	oracle?.close();
	await browser?.close();
});

const text = (s: string | null) => (s ?? '').replace(/[\u00a0\u202f]/g, ' ').trim();
const MONTHS = ['gen', 'feb', 'mar', 'apr', 'mag', 'giu', 'lug', 'ago', 'set', 'ott', 'nov', 'dic'];
const shortMonth = (m: string) => `${MONTHS[Number(m.slice(5)) - 1]} ${m.slice(0, 4)}`;

/** A new page logged in as the ATS user on `returnTo`, with DuckDB-WASM's binary held until `release()`. */
async function openHeld(returnTo: string): Promise<{ page: Page; release: () => void }> {
	await browser.context.clearCookies();
	const page = await browser.context.newPage();
	let release!: () => void;
	const released = new Promise<void>((r) => (release = r));
	await page.route(/\.wasm(\?|$)/, async (route) => {
		await released;
		await route.continue();
	});
	await loginAs(page, atsUser.fiscal_code, returnTo);
	return { page, release };
}

const kpiText = async (page: Page, k: string) => text(await page.locator(`[data-kpi="${k}"]`).textContent());

describe.runIf(inject('hasExtracts'))('a hidden count: "< 3" when primary, "n.d." when secondary', () => {
	test('the demo ATS has a Comune of each kind in the last ADI month', () => {
		expect(cells.map((c) => c.kind)).toEqual(['primary', 'secondary']);
	});

	test('KPI cards (summary, then DuckDB), home chart and table, Andamento', async () => {
		for (const c of cells) {
			const { page, release } = await openHeld(`/?t=${encodeURIComponent(c.id)}`);
			await page.locator('.kpis[data-source="summary"]').waitFor({ timeout: 30_000 });
			expect(await page.locator('[data-territory]').getAttribute('data-territory')).toBe(c.id);
			const shown = async () => ({ nuclei: await kpiText(page, 'nuclei'), persone: await kpiText(page, 'persone'), value: await page.locator('[data-kpi="nuclei"]').getAttribute('data-value') });
			expect(await shown(), `${c.name}, from the summary`).toEqual({ nuclei: c.text, persone: c.text, value: '' });
			release();
			await page.locator('.kpis[data-source="duckdb"]').waitFor({ timeout: 60_000 });
			expect(await shown(), `${c.name}, from DuckDB`).toEqual({ nuclei: c.text, persone: c.text, value: '' });

			// the chart's readout on the last month (End on the focused plot)
			const plot = page.locator('[data-chart="nuclei-mese"] .plot');
			await plot.focus();
			await plot.press('End');
			expect(text(await page.locator('[data-chart="nuclei-mese"] .readout').textContent()).split(': ').at(-1), `${c.name}, chart readout`).toBe(c.text);

			await page.locator('[data-chart="nuclei-mese"] summary').click();
			const row = page.locator(`[data-chart="nuclei-mese"] tbody tr:has(th:text-is("${shortMonth(c.month)}"))`);
			expect([text(await row.locator('td[data-col="nuclei"]').textContent()), text(await row.locator('td[data-col="persone"]').textContent())], `${c.name}, home table`).toEqual([c.text, c.text]);
			expect(await row.locator('td[data-col="nuclei"]').getAttribute('data-suppressed')).toBe('true');
			expect(await page.locator('[data-confidentiality-note]').count()).toBeGreaterThan(0);

			await page.getByRole('link', { name: 'Andamento' }).click();
			await page.waitForURL((u) => u.pathname === '/andamento');
			await page.locator('[data-chart="andamento-misure"] summary').click();
			const arow = page.locator(`[data-chart="andamento-misure"] tbody tr:has(th:text-is("${shortMonth(c.month)}"))`);
			expect([text(await arow.locator('td[data-col="ADI"]').textContent()), text(await arow.locator('td[data-col="totale"]').textContent())], `${c.name}, Andamento`).toEqual([c.text, c.text]);
			expect(await page.locator('[data-confidentiality-note]').count()).toBeGreaterThan(0);
			await page.close();
		}
	});

	test('Confronto: the Comuni of the ATS, ADI, nuclei and persone', async () => {
		const month = cells[0]!.month;
		await browser.context.clearCookies();
		const page = await browser.context.newPage();
		await loginAs(page, atsUser.fiscal_code, `/confronto?t=${encodeURIComponent(ats)}&livello=comune&misura=ADI&mese=${month}`);
		for (const indicator of ['nuclei', 'persone']) {
			if (indicator !== 'nuclei') await page.getByLabel('Indicatore').selectOption(indicator);
			for (const c of cells) {
				const row = page.locator(`table[data-table="confronto"] tr[data-id="${c.id}"]`);
				await row.waitFor({ timeout: 90_000 });
				await expect.poll(async () => [text(await row.locator('td[data-col="valore"]').textContent()), text(await row.locator('td[data-col="tasso"]').textContent())], { timeout: 30_000, message: `${c.name}, ${indicator}` }).toEqual([c.text, 'n.d.']);
			}
		}
		await page.close();
	});
});
