/**
 * Start-up as a user lives it (docs/decisions/0030-start-up.md, 0032): on a first visit the
 * summary is requested beside the manifest; it comes brotli-compressed, the numbers on screen
 * are not drawn again when DuckDB takes over, and a second tab of the same user downloads
 * neither the extract nor the summary again.
 */
import type { Page, Response } from 'playwright-core';
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

/**
 * Runs in the page before the app: records every change under the view's `<main>` once the KPI
 * cards exist, with the KPI cards' `data-source` at that moment, so a test can tell what changed
 * after DuckDB took over.
 */
function watchMain(): void {
	const w = window as unknown as { __changes: { source: string | null; what: string }[]; __sources: (string | null)[] };
	w.__changes = [];
	w.__sources = [];
	const observer = new MutationObserver((records) => {
		const kpis = document.querySelector('.kpis');
		if (!kpis) return;
		const source = kpis.getAttribute('data-source');
		if (w.__sources.at(-1) !== source) w.__sources.push(source);
		for (const r of records) {
			if (r.type === 'attributes' && r.attributeName === 'data-source') continue;
			const el = (r.target.nodeType === 1 ? r.target : r.target.parentElement) as Element | null;
			w.__changes.push({ source, what: `${r.type} ${el?.closest('[data-kpi], [data-chart]')?.outerHTML.slice(0, 60) ?? el?.tagName}` });
		}
	});
	const start = () => observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
	if (document.body) start();
	else document.addEventListener('DOMContentLoaded', start);
}

/**
 * Runs in the page before the app: from the token's arrival on, no animation frame is handed out
 * until `__releaseFrames()`. The first view's KPI cards still render (a Svelte flush); its chart,
 * and whatever waits for the first view's painted frames, do not.
 */
function holdFrames(): void {
	const w = window as unknown as { __releaseFrames: () => void };
	const raf = window.requestAnimationFrame.bind(window);
	const held: FrameRequestCallback[] = [];
	let holding = false;
	window.requestAnimationFrame = (cb) => {
		if (!holding) return raf(cb);
		held.push(cb);
		return 0;
	};
	w.__releaseFrames = () => {
		holding = false;
		for (const cb of held.splice(0)) raf(cb);
	};
	new PerformanceObserver((list) => {
		if (list.getEntries().some((e) => e.name === 'cruscotto:token')) holding = true;
	}).observe({ type: 'mark', buffered: true });
}

/** The KPI cards' data source, polled with `page.evaluate` (frames are held: nothing that waits for one). */
async function sourceBecomes(page: Page, source: string, timeoutMs: number): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if ((await page.evaluate(() => document.querySelector('.kpis')?.getAttribute('data-source') ?? null)) === source) return true;
		await new Promise((r) => setTimeout(r, 100));
	}
	return false;
}

async function session(page: Page): Promise<{ responses: Response[] }> {
	const responses: Response[] = [];
	page.on('response', (r) => responses.push(r));
	await browser.context.clearCookies();
	await loginAs(page, identityOf(identities, 'regione').fiscal_code, '/');
	await page.locator('.kpis[data-source="duckdb"]').waitFor({ timeout: 60_000 });
	// The extract's table is built after the first DuckDB chart; its bytes are then in Cache Storage.
	await page.waitForFunction(() => performance.getEntriesByName('cruscotto:extract-loaded').length > 0, null, { timeout: 60_000 });
	return { responses };
}

const kpis = (page: Page) => page.locator('[data-kpi]').evaluateAll((cards) => cards.map((c) => `${c.getAttribute('data-kpi')}=${c.getAttribute('data-value')}`));

describe.runIf(inject('hasExtracts'))('start-up of a Regione user', () => {
	let first: Page;
	let firstResponses: Response[];

	test('on a first visit, the summary is requested beside the manifest, not after it, and the KPI cards show values', async () => {
		// A fresh profile (nothing seen yet); the manifest is held until the summary has been asked for:
		// an app that waited for the manifest would never get it.
		const fresh = await launchBrowser();
		try {
			const page = await fresh.context.newPage();
			let summaryAsked!: () => void;
			const asked = new Promise<void>((r) => (summaryAsked = r));
			page.on('request', (r) => {
				if (/\/extracts\/.+\/summary\/regione\/\d+\.json$/.test(r.url())) summaryAsked();
			});
			let held = false;
			await page.route(/\/extracts\/manifest\.json$/, async (route) => {
				held = await Promise.race([asked.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000))]);
				await route.continue();
			});
			await loginAs(page, identityOf(identities, 'regione').fiscal_code, '/');
			await page.locator('.kpis[data-source="duckdb"]').waitFor({ timeout: 60_000 });
			expect(held, 'the summary was requested while the manifest was held').toBe(true);
			const values = await kpis(page);
			expect(values.every((v) => !v.endsWith('='))).toBe(true);
		} finally {
			await fresh.close();
		}
	});

	test('the summary and the manifest arrive brotli-compressed', async () => {
		first = await browser.context.newPage();
		({ responses: firstResponses } = await session(first));
		const summary = firstResponses.find((r) => /\/extracts\/.+\/summary\/regione\/\d+\.json$/.test(r.url()));
		const manifest = firstResponses.find((r) => r.url().endsWith('/extracts/manifest.json'));
		expect(summary, 'the Regione summary was requested').toBeDefined();
		expect(await summary!.headerValue('content-encoding')).toBe('br');
		expect(await summary!.headerValue('cache-control')).toContain('private');
		expect(await manifest!.headerValue('content-encoding')).toBe('br');
	});

	test('when DuckDB takes over, the numbers on screen are not drawn again', async () => {
		const page = await browser.context.newPage();
		await page.addInitScript(watchMain);
		await session(page);
		// Let any late re-render happen before looking.
		await page.waitForTimeout(500);
		const { changes, sources } = await page.evaluate(() => {
			const w = window as unknown as { __changes: { source: string | null; what: string }[]; __sources: (string | null)[] };
			return { changes: w.__changes, sources: w.__sources };
		});
		expect(sources.at(-1)).toBe('duckdb');
		// Whether the summary or DuckDB answered first, nothing in the cards or the chart changes afterwards.
		expect(changes.filter((c) => c.source === 'duckdb' && /data-kpi|data-chart/.test(c.what))).toEqual([]);
		expect(await kpis(page)).toEqual(await kpis(first));
		await page.close();
	});

	test('a second tab downloads neither the extract nor the summary again', async () => {
		const second = await browser.context.newPage();
		const { responses } = await session(second);
		// Only the manifest is asked for again (revalidated: it says which files are current).
		const data = responses.filter((r) => /\/extracts\/.+\.(parquet|json)$/.test(r.url()) && !r.url().endsWith('/extracts/manifest.json'));
		expect(data.map((r) => r.url())).toEqual([]);
		expect(firstResponses.some((r) => r.url().endsWith('.parquet')), 'the first tab did download it').toBe(true);
		// The same numbers, from the cached bytes.
		expect(await kpis(second)).toEqual(await kpis(first));
		await second.close();
		await first.close();
	});

	test('a returning tab has DuckDB answer while the first view is still unpainted; a first visit downloads its extracts only once it is painted', async () => {
		const cf = identityOf(identities, 'regione').fiscal_code;
		// Returning: a visit before this one left the files in this context's Cache API.
		const before = await browser.context.newPage();
		await session(before);
		await before.close();
		// DuckDB answers with no frame painted.
		const again = await browser.context.newPage();
		await again.addInitScript(holdFrames);
		await loginAs(again, cf, '/');
		expect(await sourceBecomes(again, 'duckdb', 60_000), 'DuckDB answered while frames were held').toBe(true);
		expect(await again.locator('[data-chart]').count(), 'the chart, drawn after a frame, is not there yet').toBe(0);
		await again.evaluate(() => (window as unknown as { __releaseFrames: () => void }).__releaseFrames());
		await again.locator('[data-chart]').waitFor({ timeout: 30_000 });
		await again.close();

		// A first visit: the summary's numbers show; no extract is requested before the first view is painted.
		const fresh = await launchBrowser();
		try {
			const page = await fresh.context.newPage();
			const parquet: string[] = [];
			page.on('request', (r) => void (r.url().endsWith('.parquet') && parquet.push(r.url())));
			await page.addInitScript(holdFrames);
			await loginAs(page, cf, '/');
			expect(await sourceBecomes(page, 'summary', 30_000)).toBe(true);
			expect(await sourceBecomes(page, 'duckdb', 3_000), 'DuckDB waits for the first view (its files are not here yet)').toBe(false);
			expect(parquet).toEqual([]);
			await page.evaluate(() => (window as unknown as { __releaseFrames: () => void }).__releaseFrames());
			expect(await sourceBecomes(page, 'duckdb', 60_000)).toBe(true);
			expect(parquet.length).toBeGreaterThan(0);
		} finally {
			await fresh.close();
		}
	});
});
