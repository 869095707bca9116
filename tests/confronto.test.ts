/**
 * Confronto through the real login, for a Regione user: a row of the comparison table and a
 * suppressed cell equal what DuckDB in Node computes from the same extract; the map draws
 * every Comune of the Regione's boundary file, and its ATS areas at the ATS level; a shared URL reopens the same view; the CSV
 * export holds the table on screen; the drill-down moves the territory in view; axe finds
 * no violations.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Manifest } from '../contracts/index.ts';
import { launchBrowser } from './support/browser.ts';
import { loginAs } from './support/login.ts';
import { identityOf, startTestStack, type TestStack } from './support/stack.ts';
import { newVersion, publish, readManifest, sha256File } from '../data-pipeline/publish.ts';
import { oracleFor, type Oracle } from './dashboard-oracle.ts';

const baseURL = inject('baseURL');
const identities = inject('identities');
const extractsDir = inject('extractsDir');
const regioneUser = identityOf(identities, 'regione');
const regione = regioneUser.territories[0];

let browser: Awaited<ReturnType<typeof launchBrowser>>;
let oracle: Oracle;
let month: string;

beforeAll(async () => {
	browser = await launchBrowser();
	oracle = await oracleFor(extractsDir, regione);
	const [r] = await oracle.rows(`SELECT strftime(max(month), '%Y-%m') AS m FROM f WHERE measure = 'ADI'`);
	month = String(r.m);
});
afterAll(async () => {
	oracle?.close();
	await browser?.close();
});

const text = (s: string | null) => (s ?? '').replace(/[\u00a0\u202f]/g, ' ').trim();
const fmtInt = (n: number) => new Intl.NumberFormat('it-IT').format(n);
const fmtRate = (n: number) => new Intl.NumberFormat('it-IT', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n);

async function open(returnTo: string): Promise<Page> {
	await browser.context.clearCookies();
	const page = await browser.context.newPage();
	await loginAs(page, regioneUser.fiscal_code, returnTo);
	await tableReady(page);
	return page;
}

async function tableReady(page: Page) {
	await page.locator('table[data-table="confronto"] tbody tr').first().waitFor({ timeout: 90_000 });
}

/** Waits until the work read ahead stops (its measures stop growing for a second). */
async function backgroundDone(page: Page): Promise<void> {
	let seen = -1;
	for (let i = 0; i < 60; i++) {
		const n = await page.evaluate(() => performance.getEntriesByName('cruscotto:confronto-prefetch').length + performance.getEntriesByName('cruscotto:confronto-series-prefetch').length);
		if (n > 0 && n === seen) break;
		seen = n;
		await page.waitForTimeout(1000);
	}
}

/** The cells of one row: [name, residenti, valore, tasso]. */
/** The names of the `n` areas of the map, as the keys walk them and the live region announces them ("name: value"). */
async function areaNames(page: Page, n: number): Promise<string[]> {
	const keys = page.getByRole('application', { name: /^Territori sulla mappa/ });
	await keys.focus();
	await keys.press('Home');
	// In the page: a round trip per key would be slow.
	const said = await keys.evaluate(async (g, n) => {
		const region = document.querySelector('.map-panel [aria-live="polite"]')!;
		const out: string[] = [];
		for (let i = 0; i < n; i++) {
			out.push(region.textContent ?? '');
			g.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
			await new Promise((r) => setTimeout(r, 0));
		}
		return out;
	}, n);
	return said.map((s) => text(s).replace(/: .*$/, ''));
}

async function rowCells(page: Page, id: string): Promise<string[]> {
	const row = page.locator(`table[data-table="confronto"] tr[data-id="${id}"]`);
	return (await row.locator('th, td:not(.sel)').allTextContents()).map(text);
}

describe('Confronto for a Regione user', () => {
	test('a row and a suppressed cell equal DuckDB in Node on the same extract', async () => {
		// A large Comune with a published value, and one whose count is suppressed.
		const [big] = await oracle.rows(
			`SELECT territory_id AS id, name, residenti, nuclei, nuclei * 1000.0 / residenti AS rate FROM f
			 WHERE level = 'comune' AND measure = 'ADI' AND month = ?::DATE AND nuclei IS NOT NULL ORDER BY residenti DESC LIMIT 1`,
			[`${month}-01`]
		);
		const page = await open(`/confronto?misura=ADI&mese=${month}&cerca=${encodeURIComponent(String(big.name))}`);
		expect(await rowCells(page, String(big.id))).toEqual([String(big.name), fmtInt(Number(big.residenti)), fmtInt(Number(big.nuclei)), fmtRate(Number(big.rate))]);

		const [hidden] = await oracle.rows(
			`SELECT territory_id AS id, name FROM f WHERE level = 'comune' AND measure = 'ADI' AND month = ?::DATE AND nuclei IS NULL AND list_contains(soppressi_primari, 'nuclei') LIMIT 1`,
			[`${month}-01`]
		);
		expect(hidden, 'the demo Regione has a Comune suppressed as under 3 households in the month').toBeDefined();
		await page.getByLabel('Cerca un territorio').fill(String(hidden.name));
		await page.locator(`tr[data-id="${hidden.id}"]`).waitFor();
		const cells = await rowCells(page, String(hidden.id));
		expect(cells.slice(2)).toEqual(['< 3', 'n.d.']);

		// Sorted by rate descending (the default), suppressed rows come last, never as 0.
		await page.getByLabel('Cerca un territorio').fill('');
		await page.getByRole('button', { name: /^Mostra tutti/ }).click();
		const values = (await page.locator('table[data-table="confronto"] td[data-col="tasso"]').allTextContents()).map(text);
		const firstHidden = values.indexOf('n.d.');
		expect(firstHidden).toBeGreaterThan(0);
		expect(values.slice(firstHidden).every((v) => v === 'n.d.' || v === '—')).toBe(true);
		const [{ n }] = await oracle.rows(
			`SELECT count(DISTINCT territory_id) AS n FROM f WHERE level = 'comune' AND month = ?::DATE AND measure = 'ADI'`,
			[`${month}-01`]
		);
		expect(values).toHaveLength(Number(n));
		await page.close();
	});

	test('a total with a suppressed part (RdC published, PdC not) reads "n.d.", not "< 3"', async () => {
		const [hit] = await oracle.rows(
			`SELECT r.territory_id AS id, r.name, strftime(r.month, '%Y-%m') AS month FROM f r JOIN f p USING (territory_id, month)
			 WHERE r.level = 'comune' AND r.measure = 'RdC' AND p.measure = 'PdC' AND r.nuclei >= 3 AND p.nuclei IS NULL
			 ORDER BY r.month DESC, r.territory_id LIMIT 1`
		);
		expect(hit, 'the demo Regione has a Comune with RdC published and PdC suppressed in a month').toBeDefined();
		const page = await open(`/confronto?mese=${hit.month}&cerca=${encodeURIComponent(String(hit.name))}`);
		await page.locator(`table[data-table="confronto"] tr[data-id="${hit.id}"]`).waitFor({ timeout: 60_000 });
		expect((await rowCells(page, String(hit.id))).slice(2)).toEqual(['n.d.', 'n.d.']);
		await page.close();
	});

	test('the ranking equals DuckDB in Node (the 10 highest rates, in order), and its data table exports them', async () => {
		const top = await oracle.rows(
			`SELECT name, nuclei * 1000.0 / residenti AS rate FROM f
			 WHERE level = 'comune' AND measure = 'ADI' AND month = ?::DATE AND nuclei IS NOT NULL ORDER BY rate DESC, name LIMIT 10`,
			[`${month}-01`]
		);
		const page = await open(`/confronto?misura=ADI&mese=${month}`);
		const ranking = page.locator('.ranking');
		await ranking.locator('svg a').first().waitFor();
		// The data table is drawn when its <details> is opened.
		expect(await ranking.locator('table').count()).toBe(0);
		await ranking.locator('summary').click();
		const rows = ranking.locator('table tbody tr');
		await rows.first().waitFor();
		const cells = (await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent ?? '')))).map((r) => r.map(text));
		expect(cells.slice(0, 10).map((c) => c[0])).toEqual(top.map((r) => String(r.name)));
		expect(cells.slice(0, 10).map((c) => c[1])).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
		expect(cells.slice(0, 10).map((c) => c[2])).toEqual(top.map((r) => fmtRate(Number(r.rate))));
		expect(cells[10][0]).toBe(`${regioneUser.territoryName} (riferimento)`);

		const [download] = await Promise.all([page.waitForEvent('download'), ranking.locator('[data-export="csv"]').click()]);
		const csv = (await readFile((await download.path())!, 'utf8')).replace(/^\ufeff/, '').trim().split('\r\n');
		expect(csv).toHaveLength(12);
		expect(csv.slice(1).map((l) => l.split(';')[0].replace(/^"|"$/g, ''))).toEqual(cells.map((c) => c[0]));
		await page.close();
	});

	test('the map draws every Comune of the Regione boundary file: the keys walk them all, each announced; a point shows its area and its class colour', async () => {
		const manifest = JSON.parse(await readFile(path.join(extractsDir, 'manifest.json'), 'utf8')) as Manifest;
		const geo = manifest.files.find((f) => f.kind === 'boundaries' && f.path.endsWith(`/geo/${regione.slice(2)}.topo.json`));
		expect(geo, 'the e2e publication has boundaries').toBeDefined();
		const topo = JSON.parse(await readFile(path.join(extractsDir, geo!.path), 'utf8')) as { objects: { comuni: { geometries: unknown[] } } };
		const count = topo.objects.comuni.geometries.length;
		const page = await open('/confronto');
		await page.locator('.map-panel canvas[data-drawn]').waitFor({ timeout: 60_000 });
		const map = page.locator('.map-panel .map');
		// The legend explains the hatch; the map says where its values are for a screen reader.
		expect(text(await map.locator('svg').textContent())).toContain('dato riservato');
		const keys = page.getByRole('application', { name: /^Territori sulla mappa/ });
		const described = await keys.evaluate((g) => document.getElementById(g.getAttribute('aria-describedby') ?? '')?.textContent ?? '');
		expect(described).toMatch(/tabella di confronto/);

		// One tab stop: Home announces the first area; the arrows walk every area once and wrap.
		await keys.focus();
		await keys.press('Home');
		const live = map.locator('[aria-live="polite"]');
		const first = text(await live.textContent());
		expect(first).toMatch(/^\S.*: /);
		// In the page: a round trip per key for every Comune would take minutes.
		const said = await keys.evaluate(async (g, n) => {
			const region = document.querySelector('.map-panel [aria-live="polite"]')!;
			const out: string[] = [];
			for (let i = 0; i < n; i++) {
				g.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
				await new Promise((r) => setTimeout(r, 0));
				out.push(region.textContent ?? '');
			}
			return out;
		}, count);
		expect(new Set(said.map(text)).size).toBe(count);
		expect(text(said.at(-1)!)).toBe(first);
		// Space picks the focused area: announced as picked, outlined, in the URL.
		await keys.press('Space');
		await expect.poll(async () => text(await live.textContent())).toBe(`${first}, selezionato`);
		await page.waitForURL(/sel=c%3A|sel=c:/);
		expect(await map.locator('path[data-picked]').count()).toBe(1);

		// The legend's classes: a colour and its range.
		const num = (s: string) => Number(s.replace(/\./g, '').replace(',', '.'));
		const classes = await map.locator('g[aria-label="Legenda"] g[role="listitem"]').evaluateAll((gs) =>
			gs.map((g) => ({ color: g.querySelector('rect')!.getAttribute('fill')!, label: g.textContent!.trim() }))
		);
		const ranges = classes.flatMap(({ color, label }) => {
			const m = /^meno di (\S+)$/.exec(label) ?? /^da (\S+) a meno di (\S+)$/.exec(label) ?? /^(\S+) e oltre$/.exec(label);
			if (!m) return [];
			if (label.startsWith('meno')) return [{ color, from: -Infinity, to: num(m[1]) }];
			if (label.startsWith('da')) return [{ color, from: num(m[1]), to: num(m[2]) }];
			return [{ color, from: num(m[1]), to: Infinity }];
		});
		expect(ranges.length).toBeGreaterThan(1);
		// Points over the map: the tooltip names the area under the pointer and the canvas shows, there, the colour of its value's class (or the grey hatch).
		const samples = await page.evaluate(async () => {
			const canvas = document.querySelector<HTMLCanvasElement>('.map-panel canvas')!;
			const r = canvas.getBoundingClientRect();
			const ctx = canvas.getContext('2d')!;
			const out: { tip: string; pixels: number[][] }[] = [];
			for (let i = 1; i < 16; i++)
				for (let j = 1; j < 16; j++) {
					const [x, y] = [r.left + (r.width * i) / 16, r.top + (r.height * j) / 16];
					document.elementFromPoint(x, y)?.dispatchEvent(new MouseEvent('mousemove', { clientX: x, clientY: y, bubbles: true }));
					await new Promise((res) => setTimeout(res, 0));
					const tip = document.querySelector('.map-panel .tooltip')?.textContent ?? '';
					const [px, py] = [Math.round(((x - r.left) * canvas.width) / r.width), Math.round(((y - r.top) * canvas.height) / r.height)];
					const d = ctx.getImageData(px - 1, py - 1, 3, 3).data;
					const pixels = Array.from({ length: 9 }, (_, k) => [d[4 * k], d[4 * k + 1], d[4 * k + 2], d[4 * k + 3]]);
					out.push({ tip, pixels });
				}
			return out;
		});
		const hex = (p: number[]) => '#' + p.slice(0, 3).map((v) => v.toString(16).padStart(2, '0')).join('');
		let [coloured, hatched] = [0, 0];
		for (const { tip, pixels } of samples) {
			const t = text(tip);
			if (!t) {
				// Off every area: nothing drawn there (a border's antialiasing aside).
				continue;
			}
			const value = t.replace(/, selezionato$/, '').split(': ').at(-1)!;
			if (!/^-?[\d.]+(,\d+)?$/.test(value)) {
				// Suppressed or missing: the grey hatch, wherever the 3 × 3 pixels are inside the area.
				if (pixels.every((p) => p[3] === 255 && p[0] === p[1] && p[1] === p[2] && p[0] !== 255)) hatched++;
				continue;
			}
			// A value equal to a break's label is ambiguous once rounded: not checked.
			if (ranges.some((c) => c.from === num(value) || c.to === num(value))) continue;
			// Only points well inside an area (3 × 3 pixels of one colour, not a border).
			if (!pixels.every((p) => hex(p) === hex(pixels[4]) && p[3] === 255)) continue;
			const want = ranges.find((c) => num(value) >= c.from && num(value) < c.to)!;
			expect(hex(pixels[4]), `${t}: the colour of "${classes.find((c) => c.color === want.color)?.label}"`).toBe(want.color);
			coloured++;
		}
		expect(coloured, `${samples.length} points, ${hatched} hatched`).toBeGreaterThan(10);
		await page.close();
	});

	test('"Confronta: ATS" draws the ATS areas of the boundary file (one per ATS of the Regione), the Comuni staying until they come', async () => {
		const manifest = JSON.parse(await readFile(path.join(extractsDir, 'manifest.json'), 'utf8')) as Manifest;
		const geo = manifest.files.find((f) => f.kind === 'boundaries' && f.path.endsWith(`/geo/${regione.slice(2)}.topo.json`))!;
		const topo = JSON.parse(await readFile(path.join(extractsDir, geo.path), 'utf8')) as { objects: { comuni: { geometries: unknown[] }; ats?: { geometries: { id: string }[] } } };
		const fileAts = (topo.objects.ats?.geometries ?? []).map((g) => g.id).sort();
		const ats = await oracle.rows(`SELECT DISTINCT territory_id, name FROM f WHERE level = 'ats' ORDER BY 1`);
		expect(ats.length).toBeGreaterThan(1);
		expect(fileAts).toEqual(ats.map((r) => String(r.territory_id)));
		const page = await open('/confronto');
		await page.locator(`.map-panel canvas[data-areas="${topo.objects.comuni.geometries.length}"]`).waitFor({ timeout: 60_000 });
		// whatever the map panel says from now on (a "loading" note would mean the map went blank)
		await page.evaluate(() => {
			const w = window as unknown as { __notes: string[] };
			w.__notes = [];
			const panel = document.querySelector('.map-panel')!;
			new MutationObserver(() => w.__notes.push(panel.querySelector('.note')?.textContent ?? '')).observe(panel, { subtree: true, childList: true });
		});
		await page.locator('label:has(span:text-is("Confronta")) select').selectOption('ats');
		await page.locator(`.map-panel canvas[data-areas="${ats.length}"]`).waitFor({ timeout: 60_000 });
		// each area is an ATS with its data: the keys walk them all, each announced by its name
		expect((await areaNames(page, ats.length)).sort()).toEqual(ats.map((r) => String(r.name)).sort());
		expect(await page.evaluate(() => (window as unknown as { __notes: string[] }).__notes.filter(Boolean))).toEqual([]);
		await page.close();
	});

	test('a shared URL reopens the same view, and the CSV holds the table on screen', async () => {
		const page = await open('/confronto');
		await page.getByLabel('Indicatore').selectOption('persone');
		await page.getByLabel('Misura').selectOption('ADI');
		await page.getByRole('button', { name: /^Residenti/ }).click();
		await page.getByLabel('Cerca un territorio').fill('san');
		await page.waitForURL(/cerca=san/);
		const firstBox = page.locator('table[data-table="confronto"] tbody input[type="checkbox"]').first();
		await firstBox.check();
		await page.locator('.small-multiples svg [data-panel]').first().waitFor();
		// The answer is drawn first; its history entry (the shareable URL) is written right after.
		await page.waitForURL(/sel=c%3A|sel=c:/);
		const url = page.url();
		const all = page.getByRole('button', { name: /^Mostra tutti/ });
		if (await all.count()) await all.click();
		expect(url).toMatch(/indicatore=persone/);
		expect(url).toMatch(/sel=c%3A|sel=c:/);
		const onScreen = (await page.locator('table[data-table="confronto"] tbody tr').allTextContents()).map(text);

		const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Scarica la tabella in CSV' }).click()]);
		expect(download.suggestedFilename()).toMatch(/^cruscotto_.+_persone_\d{4}-\d{2}\.csv$/);
		const csv = (await readFile((await download.path())!, 'utf8')).replace(/^\ufeff/, '').trim().split('\r\n');
		expect(csv.length - 1).toBe(onScreen.length);
		const names = (await page.locator('table[data-table="confronto"] tbody th').allTextContents()).map(text);
		expect(csv.slice(1).map((l) => l.split(';')[0].replace(/^"|"$/g, ''))).toEqual(names);
		const firstCells = (await page.locator('table[data-table="confronto"] tbody tr').first().locator('td:not(.sel)').allTextContents()).map(text);
		expect(csv[1].split(';').slice(2).map(text)).toEqual(firstCells);

		const again = await open(new URL(url).pathname + new URL(url).search);
		if (await again.getByRole('button', { name: /^Mostra tutti/ }).count()) await again.getByRole('button', { name: /^Mostra tutti/ }).click();
		expect((await again.locator('table[data-table="confronto"] tbody tr').allTextContents()).map(text)).toEqual(onScreen);
		expect(await again.getByLabel('Indicatore').inputValue()).toBe('persone');
		expect(await again.getByLabel('Cerca un territorio').inputValue()).toBe('san');
		await again.locator('.small-multiples svg [data-panel]').first().waitFor();
		await page.close();
		await again.close();
	});

	test('a Comune picked once every series was read ahead is drawn without a query, with the numbers of DuckDB in Node', async () => {
		const page = await open('/confronto?misura=ADI&indicatore=persone');
		// Every territory's series are read in the background a few months at a time: wait until they stop.
		let seen = -1;
		for (let i = 0; i < 60; i++) {
			const n = await page.evaluate(() => performance.getEntriesByName('cruscotto:confronto-series-prefetch').length);
			if (n > 0 && n === seen) break;
			seen = n;
			await page.waitForTimeout(1000);
		}
		expect(seen).toBeGreaterThan(0);
		const queries = () => page.evaluate(() => performance.getEntriesByName('cruscotto:confronto-query').length);
		const before = await queries();
		const row = page.locator('table[data-table="confronto"] tbody tr').first();
		const id = (await row.getAttribute('data-id'))!;
		await row.locator('input[type="checkbox"]').check();
		await page.locator('.small-multiples svg [data-panel]').first().waitFor();
		expect(await queries()).toBe(before);
		await page.locator('.small-multiples summary', { hasText: 'Dati del grafico' }).click();
		const cells = page.locator('.small-multiples table td[data-col="s0"]');
		await cells.first().waitFor();
		const shown = await cells.evaluateAll((tds) => tds.map((td) => ({ text: td.textContent ?? '', suppressed: td.getAttribute('data-suppressed') === 'true' })));
		const want = await oracle.rows(`SELECT persone * 1000.0 / residenti AS r FROM f WHERE territory_id = ? AND measure = 'ADI' ORDER BY month`, [id]);
		const own = shown.filter((c) => text(c.text) !== '—');
		expect(own.length).toBe(want.length);
		want.forEach((w, i) => {
			if (w.r === null) expect(own[i].suppressed, `month ${i}`).toBe(true);
			else expect(text(own[i].text), `month ${i}`).toBe(fmtRate(w.r as number));
		});
		expect(want.some((w) => w.r !== null)).toBe(true);
		await page.close();
	}, 180_000);

	test('the ATS level of the choice on screen is read ahead: "Confronta: ATS" asks no query, with the numbers of DuckDB in Node', async () => {
		const page = await open(`/confronto?misura=ADI&mese=${month}`);
		// Work done ahead ends with the other level (after every series).
		await backgroundDone(page);
		const queries = () => page.evaluate(() => performance.getEntriesByName('cruscotto:confronto-query').length);
		const before = await queries();
		await page.locator('label:has(span:text-is("Confronta")) select').selectOption('ats');
		await page.locator('table[data-table="confronto"] tbody tr[data-id^="a:"]').first().waitFor();
		expect(await queries()).toBe(before);
		const [big] = await oracle.rows(
			`SELECT territory_id AS id, name, residenti, nuclei, nuclei * 1000.0 / residenti AS rate FROM f
			 WHERE level = 'ats' AND measure = 'ADI' AND month = ?::DATE AND nuclei IS NOT NULL ORDER BY residenti DESC LIMIT 1`,
			[`${month}-01`]
		);
		expect(await rowCells(page, String(big.id))).toEqual([String(big.name), fmtInt(Number(big.residenti)), fmtInt(Number(big.nuclei)), fmtRate(Number(big.rate))]);
		await page.close();
	}, 180_000);

	test('Confronto opened again after Andamento shows its table and map at once: no loading message, the map as it was, not drawn again', async () => {
		const page = await open('/confronto');
		await page.locator('.map-panel canvas[data-drawn]').waitFor({ timeout: 60_000 });
		await page.waitForTimeout(500); // the map's size settled
		const image = () => page.evaluate(() => [...document.querySelectorAll<HTMLCanvasElement>('.map-panel canvas')].map((c) => c.toDataURL()));
		const before = await image();
		await page.getByRole('link', { name: 'Andamento', exact: true }).first().click();
		await page.waitForURL((u) => u.pathname === '/andamento');
		await page.locator('.line-chart').first().waitFor({ timeout: 60_000 });
		// Every loading note and every map state from the click on, and the rows once the canvas is drawn.
		await page.evaluate(() => {
			const w = window as unknown as { __seen: string[] };
			w.__seen = [];
			new MutationObserver(() => {
				for (const el of document.querySelectorAll('main [role="status"], .map-panel .note')) w.__seen.push(el.textContent?.trim() ?? '');
				const c = document.querySelector('.map-panel canvas[data-drawn]');
				if (c) w.__seen.push(`drawn with ${document.querySelectorAll('table[data-table="confronto"] tbody tr').length} rows`);
			}).observe(document.body, { subtree: true, childList: true, attributes: true });
		});
		const back = await page.evaluate(() => performance.now());
		await page.getByRole('link', { name: 'Confronto', exact: true }).first().click();
		await page.locator('.map-panel canvas[data-drawn]').waitFor({ timeout: 60_000 });
		const seen = await page.evaluate(() => (window as unknown as { __seen: string[] }).__seen);
		expect(seen.filter((s) => /Caricamento/.test(s))).toEqual([]);
		// The first time the map is there, it is drawn and the table holds its rows.
		expect(seen.find((s) => s.startsWith('drawn'))).toMatch(/^drawn with [1-9]\d* rows$/);
		// The same answer: the map's canvases come back as they were, with no draw of the areas.
		await page.waitForTimeout(500);
		expect(await image()).toEqual(before);
		const draws = await page.evaluate((t) => performance.getEntriesByName('cruscotto:map-draw').filter((e) => e.startTime > t).length, back);
		expect(draws).toBe(0);
		await page.close();
	}, 180_000);
	test('Confronto left for Andamento: every territory\'s series are not read there (the worker is idle for the way back)', async () => {
		const page = await open('/confronto?misura=ADI&indicatore=persone');
		await page.getByRole('link', { name: 'Andamento', exact: true }).first().click();
		await page.waitForURL((u) => u.pathname === '/andamento');
		await page.waitForTimeout(4000);
		// Read only for a choice that outlives a step on Confronto; leaving it is no such step.
		expect(await page.evaluate(() => performance.getEntriesByName('cruscotto:confronto-series-prefetch').length)).toBeLessThanOrEqual(1);
		await page.close();
	});

	test('an indicator already answered is drawn in one pass (the map once), with the numbers of DuckDB in Node', async () => {
		const page = await open(`/confronto?misura=ADI&mese=${month}`);
		const canvas = page.locator('.map-panel canvas[data-drawn]');
		await canvas.waitFor({ timeout: 60_000 });
		const caption = page.locator('table[data-table="confronto"] caption');
		const pick = async (key: string, label: string) => {
			await page.getByLabel('Indicatore').selectOption(key);
			await expect.poll(() => caption.textContent(), { timeout: 30_000 }).toMatch(new RegExp(`^${label} —`));
			await expect.poll(() => page.locator('.summary').getAttribute('aria-busy')).not.toBe('true');
		};
		// Each answered once (a query or the month's answers), then kept.
		await pick('importo_medio', 'Importo medio mensile');
		await pick('persone', 'Persone');
		await pick('nuclei', 'Nuclei');
		const drawn = async () => Number(await canvas.getAttribute('data-drawn'));
		// A count, a mean, a count again: the rate column comes and goes, the map's values with it.
		for (const [key, label] of [['importo_medio', 'Importo medio mensile'], ['persone', 'Persone']]) {
			const before = await drawn();
			await pick(key, label);
			await page.waitForTimeout(300);
			expect(await drawn(), `${label}: map redraws`).toBe(before + 1);
		}
		const want = await oracle.rows(
			`SELECT persone * 1000.0 / residenti AS rate FROM f
			 WHERE level = 'comune' AND measure = 'ADI' AND month = ?::DATE AND persone IS NOT NULL ORDER BY rate DESC LIMIT 25`,
			[`${month}-01`]
		);
		const rates = (await page.locator('table[data-table="confronto"] td[data-col="tasso"]').allTextContents()).map(text);
		expect(rates).toEqual(want.map((r) => fmtRate(Number(r.rate))));
		const bars = (await page.locator('.ranking svg a text:nth-of-type(2)').allTextContents()).map(text);
		expect(bars).toEqual(want.slice(0, 10).map((r) => fmtRate(Number(r.rate))));
		await page.close();
	}, 180_000);

	test('a month the measure was not paid shows its last month, and the URL says so without a history entry', async () => {
		const page = await open('/confronto?misura=ADI&mese=2023-05');
		const entries = await page.evaluate(() => history.length);
		await page.waitForURL((u) => u.searchParams.get('mese') === month);
		expect(await page.locator('label:has(span:text-is("Mese")) select').inputValue()).toBe(month);
		expect(new URL(page.url()).searchParams.get('misura')).toBe('ADI');
		expect(await page.evaluate(() => history.length)).toBe(entries);
		await page.close();
	});

	test('drill-down: Regione → ATS → Comune with the breadcrumb, and Back returns', async () => {
		const page = await open('/confronto?livello=ats');
		const firstAts = page.locator('table[data-table="confronto"] tbody tr').first();
		const atsId = await firstAts.getAttribute('data-id');
		const atsName = text(await firstAts.locator('th a').textContent());
		await firstAts.locator('th a').click();
		await page.waitForURL((u) => u.searchParams.get('t') === atsId);
		// The Regione's rows stay on screen until the ATS's Comuni replace them (no loading flash).
		await page.locator('table[data-table="confronto"] tbody tr[data-id^="c:"]').first().waitFor({ timeout: 60_000 });
		const crumbs = page.getByRole('navigation', { name: 'Percorso territoriale' });
		expect((await crumbs.locator('li').allTextContents()).map(text).map((s) => s.replace(/\s*\/$/, ''))).toEqual([
			regioneUser.territoryName,
			atsName
		]);
		expect(await page.locator('h1 [data-territory]').getAttribute('data-territory')).toBe(atsId);
		const [{ n }] = await oracle.rows(`SELECT count(DISTINCT territory_id) AS n FROM f WHERE level = 'comune' AND parent_id = ?`, [atsId!]);
		const all = page.getByRole('button', { name: /^Mostra tutti/ });
		if (await all.count()) await all.click();
		expect(await page.locator('table[data-table="confronto"] tbody tr').count()).toBe(Number(n));
		await page.goBack();
		await page.waitForURL((u) => u.searchParams.get('t') === null);
		await page.locator('table[data-table="confronto"] tbody tr[data-id^="a:"]').first().waitFor({ timeout: 60_000 });
		await page.close();
	});

	test('a drill-down inside the Regione (an ATS from the ATS on screen, then the Regione through the breadcrumb) shows the new answer in the navigation\'s own update, never the previous rows dimmed; the new territory is announced; the Regione\'s map comes back as it was', async () => {
		// As a user comes to the ATS: the Regione's Comuni, then its ATS (each answer then at hand).
		const page = await open('/confronto');
		await backgroundDone(page);
		// The Regione's map as drawn (fills and borders): coming back shows the same picture.
		const mapPixels = () => page.locator('.map-panel canvas').evaluateAll((cs) => (cs as HTMLCanvasElement[]).map((c) => c.toDataURL()));
		await page.locator('.map-panel canvas[data-drawn]').waitFor({ timeout: 60_000 });
		const regioneMap = await mapPixels();
		await page.locator('label:has(span:text-is("Confronta")) select').selectOption('ats');
		await page.locator('table[data-table="confronto"] tbody tr[data-id^="a:"]').first().waitFor();
		// The ATS on screen are made ready ahead with the rest of the background work.
		await backgroundDone(page);
		// Every state of the results from now on: the territory in the title, the first row, and whether they are dimmed.
		await page.evaluate(() => {
			const w = window as unknown as { __seen: string[] };
			w.__seen = [];
			const note = () =>
				w.__seen.push(
					`${document.querySelector('#confronto-title [data-territory]')?.getAttribute('data-territory')}|${document.querySelector('table[data-table="confronto"] tbody tr')?.getAttribute('data-id')}|${document.querySelector('.results')?.getAttribute('data-stale') ?? ''}`
				);
			new MutationObserver(note).observe(document.querySelector('main')!, { subtree: true, childList: true, characterData: true, attributes: true });
		});
		const firstAts = page.locator('table[data-table="confronto"] tbody tr').first();
		const atsId = (await firstAts.getAttribute('data-id'))!;
		const atsName = text(await firstAts.locator('th a').textContent());
		await firstAts.locator('th a').click();
		await page.locator(`#confronto-title [data-territory="${atsId}"]`).waitFor();
		await page.locator('table[data-table="confronto"] tbody tr[data-id^="c:"]').first().waitFor({ timeout: 60_000 });
		// SvelteKit's route announcer reads the new title to a screen reader.
		await expect.poll(() => page.locator('#svelte-announcer').textContent()).toContain(atsName);
		await page.getByRole('navigation', { name: 'Percorso territoriale' }).getByRole('link', { name: regioneUser.territoryName }).click();
		await page.locator(`#confronto-title [data-territory="${regione}"]`).waitFor();
		await expect.poll(() => page.locator('#svelte-announcer').textContent()).toContain(regioneUser.territoryName);
		expect(await page.locator('.map-panel canvas').count()).toBe(2);
		expect(await mapPixels()).toEqual(regioneMap);
		const states = await page.evaluate(() => (window as unknown as { __seen: string[] }).__seen);
		// Under each new name, only its own rows (Comuni), never the previous ones nor a dimmed state.
		expect(states.filter((s) => s.startsWith(`${atsId}|`)).length).toBeGreaterThan(0);
		expect(states.filter((s) => s.startsWith(`${regione}|`)).length).toBeGreaterThan(0);
		for (const s of states) {
			const [t, first, stale] = s.split('|');
			expect(stale, s).toBe('');
			if (t === atsId || (t === regione && states.indexOf(s) > states.findIndex((x) => x.startsWith(`${atsId}|`)))) expect(first, s).toMatch(/^c:/);
		}
		await page.close();
	}, 180_000);

	test('axe finds no violations, at 1280 and at 390 px', async () => {
		const page = await open('/confronto?sel=');
		await page.locator('.map-panel canvas[data-drawn]').waitFor({ timeout: 60_000 });
		const wide = await new AxeBuilder({ page }).analyze();
		expect(wide.violations.map((v) => `${v.id}: ${v.nodes.length}`)).toEqual([]);
		await page.setViewportSize({ width: 390, height: 844 });
		const narrow = await new AxeBuilder({ page }).analyze();
		expect(narrow.violations.map((v) => `${v.id}: ${v.nodes.length}`)).toEqual([]);
		// Nothing wider than the phone's screen but the scrollable table region.
		const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
		expect(overflow).toBeLessThanOrEqual(390);
		await page.close();
	}, 300_000); // axe walks the page twice: slow on the shared 2-core machine
});

describe('Confronto for a national user', () => {
	test('drill-down Italia → a Regione: the previous answer is never shown under the new name', async () => {
		const ministero = identityOf(identities, 'ministero');
		await browser.context.clearCookies();
		const page = await browser.context.newPage();
		await loginAs(page, ministero.fiscal_code, '/confronto');
		await tableReady(page);
		const italia = text(await page.locator('p.summary').textContent());
		expect(italia).toMatch(/Italia: /);
		// Every text the summary line shows from now on, with the territory in the title at that moment.
		await page.evaluate(() => {
			const w = window as unknown as { __seen: string[] };
			w.__seen = [];
			const note = () => w.__seen.push(`${document.querySelector('#confronto-title [data-territory]')?.getAttribute('data-territory')}|${document.querySelector('p.summary')?.textContent?.replace(/\s+/g, ' ').trim()}|${document.querySelector('.results')?.getAttribute('data-stale') ?? ''}`);
			new MutationObserver(note).observe(document.querySelector('main')!, { subtree: true, childList: true, characterData: true, attributes: true });
		});
		const [lombardia] = await page.locator('table[data-table="confronto"] tr[data-id="r:03"] a').all();
		await lombardia!.click();
		await page.locator('#confronto-title [data-territory="r:03"]').waitFor();
		await expect.poll(async () => text(await page.locator('p.summary').textContent()), { timeout: 90_000 }).toMatch(/^\d[\d.]* comuni · .* Lombardia: /);
		const seen = await page.evaluate(() => (window as unknown as { __seen: string[] }).__seen);
		// Under Lombardia's name: the update message (rows dimmed) or Lombardia's own answer, never Italia's 20 Regioni.
		const underNew = seen.filter((s) => s.startsWith('r:03|'));
		expect(underNew.length).toBeGreaterThan(0);
		for (const s of underNew) {
			const [, summary, stale] = s.split('|');
			if (/^20 /.test(summary!)) expect(stale, s).toBe('true');
			expect(summary, s).not.toMatch(/^20 comuni/);
		}
		await page.close();
	});
});

/** Publishes the current version again with the Regione boundary files of an older publication (manifest schema 5: no `ats` object). */
async function republishWithoutAtsAreas(dir: string): Promise<void> {
	const current = readManifest(dir)!;
	const version = newVersion(dir, new Date(Date.parse(current.published_at) + 60_000));
	const staging = path.join(dir, `.staging-${version}`);
	await cp(path.join(dir, current.version), staging, { recursive: true });
	const files = [];
	for (const f of current.files) {
		const rel = f.path.slice(current.version.length + 1);
		const moved = { ...f, path: `${version}/${rel}` };
		if (f.kind === 'boundaries' && /^geo\/\d{2}\.topo\.json$/.test(rel)) {
			const abs = path.join(staging, rel);
			const topo = JSON.parse(await readFile(abs, 'utf8')) as { objects: Record<string, unknown> };
			delete topo.objects.ats;
			await writeFile(abs, JSON.stringify(topo));
			moved.bytes = (await readFile(abs)).length;
			moved.sha256 = sha256File(abs);
		}
		files.push(moved);
	}
	publish(dir, staging, { ...current, schema_version: 5, version, published_at: new Date().toISOString(), files });
}

// A stack of its own: the test publishes into its extracts folder while the other suites read theirs.
describe.runIf(inject('hasExtracts'))('Confronto on an older publication', () => {
	let stack: TestStack;
	beforeAll(async () => {
		stack = await startTestStack();
		await republishWithoutAtsAreas(stack.extractsDir);
	});
	afterAll(async () => stack?.close());

	test('boundary files without ATS areas: the app merges the Comuni into one area per ATS itself', async () => {
		const ats = await oracle.rows(`SELECT DISTINCT territory_id, name FROM f WHERE level = 'ats' ORDER BY 1`);
		await browser.context.clearCookies();
		const page = await browser.context.newPage();
		await page.goto(`${stack.appURL}/auth/login?returnTo=${encodeURIComponent('/confronto?livello=ats')}`);
		await page.getByLabel('Codice fiscale').fill(identityOf(stack.identities, 'regione').fiscal_code);
		await page.getByRole('button', { name: 'Entra', exact: true }).click();
		await page.locator(`.map-panel canvas[data-areas="${ats.length}"]`).waitFor({ timeout: 90_000 });
		expect((await areaNames(page, ats.length)).sort()).toEqual(ats.map((r) => String(r.name)).sort());
		await page.close();
	});
});
