/**
 * What an ATS user downloads for the first view (docs/decisions/0026-ats-bytes.md): the ATS
 * summary and its Regione's benchmark file (`summary/benchmarks/RR.json`), never
 * `summary/italia.json` (every Regione); the numbers first drawn from them stay when DuckDB-WASM
 * takes over with the ATS extract (dictionary-encoded by the pipeline's writer).
 */
import type { Response } from 'playwright-core';
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

describe.runIf(inject('hasExtracts'))('first view of an ATS user', () => {
	test('benchmarks from the Regione’s benchmark file, not italia.json; the numbers stay when DuckDB takes over', async () => {
		const page = await browser.context.newPage();
		const responses: Response[] = [];
		page.on('response', (r) => responses.push(r));
		// the KPI values each time the cards' source changes (summary, then duckdb)
		await page.addInitScript(() => {
			const w = window as unknown as { __seen: { source: string | null; values: string }[] };
			w.__seen = [];
			new MutationObserver(() => {
				const kpis = document.querySelector('.kpis');
				const values = [...document.querySelectorAll('[data-kpi]')].map((c) => `${c.getAttribute('data-kpi')}=${c.getAttribute('data-value')}`).join(' ');
				const source = kpis?.getAttribute('data-source') ?? null;
				const last = w.__seen.at(-1);
				if (kpis && values && (last?.values !== values || last.source !== source)) w.__seen.push({ source, values });
			}).observe(document, { subtree: true, childList: true, attributes: true });
		});
		await browser.context.clearCookies();
		const ats = identityOf(identities, 'ats_amministratore');
		await loginAs(page, ats.fiscal_code, '/');
		await page.locator('.kpis[data-source="duckdb"]').waitFor({ timeout: 60_000 });
		await page.waitForTimeout(300);

		const data = responses.map((r) => new URL(r.url()).pathname).filter((p) => p.startsWith('/extracts/'));
		const code = ats.territories[0]!.slice(2);
		expect(data.some((p) => p.endsWith(`/summary/ats/${code}.json`))).toBe(true);
		expect(data.filter((p) => /\/summary\/benchmarks\/\d{2}\.json$/.test(p))).toHaveLength(1);
		expect(data.filter((p) => p.endsWith('/summary/italia.json'))).toEqual([]);
		expect(data.filter((p) => p.endsWith('.parquet'))).toEqual([expect.stringMatching(new RegExp(`/ats/${code}\\.parquet$`))]);

		const seen = await page.evaluate(() => (window as unknown as { __seen: { source: string | null; values: string }[] }).__seen);
		expect(seen.at(-1)?.source).toBe('duckdb');
		// one set of values on screen, whichever answered first
		expect(new Set(seen.map((s) => s.values)).size).toBe(1);
		await page.close();
	});
});
