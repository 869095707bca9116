/**
 * The export buttons in Chromium, as a user clicks them: the files that land on disk are
 * checked, not the functions that make them. SVG: parses and holds the chart's marks; PNG: a
 * real image at 2× with the chart drawn; CSV: the rows of the table on screen, Italian formats;
 * Excel: a workbook that opens, with the same numbers. SVG and PNG are framed as published:
 * title, what the chart shows, legend, notes and source. `EXPORTS_KEEP=<dir>` keeps the PNGs to look at.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Download, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchBrowser } from './support/browser.ts';
import { loginAs } from './support/login.ts';
import { identityOf } from './support/stack.ts';
import { readFirstSheet, readSheet, sheetCount } from './support/xlsx-reader.ts';
import { oracleFor } from './dashboard-oracle.ts';
import { CONFIDENTIALITY_NOTE } from '../src/lib/format/index.ts';

const identities = inject('identities');
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

beforeAll(async () => {
	browser = await launchBrowser();
	page = await browser.context.newPage();
	await loginAs(page, identityOf(identities, 'ats_amministratore').fiscal_code, '/');
	await page.locator('.kpis[data-source="duckdb"]').waitFor({ timeout: 60_000 });
});
afterAll(async () => browser?.close());

async function downloadFrom(button: Locator): Promise<{ name: string; bytes: Buffer }> {
	const [download]: [Download, void] = await Promise.all([page.waitForEvent('download'), button.click()]);
	return { name: download.suggestedFilename(), bytes: await readFile((await download.path())!) };
}

/** The table as it reads on screen: one array of cell texts per row, header first. */
function shownTable(frame: Locator): Promise<string[][]> {
	return frame.locator('table').evaluate((table) =>
		[...table.querySelectorAll('tr')].map((tr) => [...tr.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').trim()))
	);
}

/** "12.345" → 12345, "618,40 €" → 618.4, "0,51" → 0.51, "25,0%" → 0.25; null for text ("< 3", "n.d.", "—", months). */
function italianNumber(s: string): number | null {
	const m = /^(−|-)?[\d.]+(,\d+)?( €|\s?%)?$/.exec(s.replace(/[\u00a0\u202f]/g, ' '));
	if (!m) return null;
	const n = Number(s.replace(/[^\d,]/g, '').replace(',', '.')) * (m[1] ? -1 : 1);
	return m[3]?.includes('%') ? n / 100 : n;
}

/** What an exported SVG says around its chart: title and subtitle, legend entries, footer paragraphs, and the chart's own texts. */
function framedParts(svgText: string) {
	return page.evaluate((text) => {
		const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
		const texts = (root: ParentNode | null, sel: string) => [...(root?.querySelectorAll(sel) ?? [])].map((t) => t.textContent ?? '');
		return {
			error: doc.querySelector('parsererror')?.textContent ?? null,
			head: texts(doc, 'svg > g[data-export-head] text'),
			legend: [...doc.querySelectorAll('svg > g[data-export-legend] text')].map((t) => [...t.querySelectorAll('tspan')].map((x) => x.textContent).join(' ')),
			footer: texts(doc, 'svg > g[data-export-footer] text').join(' '),
			chart: texts(doc.querySelector('svg > svg'), 'text')
		};
	}, svgText);
}

describe.runIf(inject('hasExtracts'))('exports as downloaded', () => {
	test('SVG of the households chart: parses, stands alone, holds every line and point drawn on screen, framed by its title, legend and source', async () => {
		const frame = page.locator('[data-chart="nuclei-mese"]');
		const { name, bytes } = await downloadFrom(frame.locator('[data-export="svg"]'));
		expect(name).toMatch(/^cruscotto_ambito-sintetico-.+_nuclei_\d{4}-\d{2}-\d{4}-\d{2}\.svg$/);
		const text = bytes.toString('utf8');
		expect(text.startsWith('<svg')).toBe(true);
		const check = await page.evaluate((svgText) => {
			const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
			const screen = document.querySelector('[data-chart="nuclei-mese"] svg[role="img"]')!;
			const marks = (root: ParentNode) => ({
				// The hover readout (`data-export-skip`) is left out of the file on purpose.
				lines: [...root.querySelectorAll('path[fill="none"]:not([data-export-skip] *)')].map((p) => p.getAttribute('d')),
				points: root.querySelectorAll('circle:not([data-export-skip] *)').length,
				ticks: [...root.querySelectorAll('text:not([data-export-skip] *)')].map((t) => t.textContent)
			});
			const chart = doc.querySelector('svg > svg');
			const texts = (sel: string) => [...doc.querySelectorAll(sel)].map((t) => t.textContent ?? '');
			return {
				error: doc.querySelector('parsererror')?.textContent ?? null,
				root: doc.documentElement.namespaceURI,
				width: doc.documentElement.getAttribute('width'),
				height: Number(doc.documentElement.getAttribute('height')),
				font: doc.documentElement.getAttribute('font-family'),
				chartHeight: Number(chart?.getAttribute('height')),
				file: chart ? marks(chart) : null,
				screen: marks(screen),
				screenWidth: Math.round(screen.getBoundingClientRect().width),
				screenHeight: Math.round(screen.getBoundingClientRect().height),
				// What the file says around the chart, in reading order, and where (the chart between head and footer).
				head: texts('svg > g[data-export-head] text'),
				legend: [...doc.querySelectorAll('svg > g[data-export-legend] > g')].map((g) => ({
					label: [...g.querySelectorAll('tspan')].map((t) => t.textContent).join(' '),
					color: (g.querySelector('line, rect')?.getAttribute('stroke') ?? g.querySelector('rect')?.getAttribute('fill'))?.toLowerCase()
				})),
				footer: texts('svg > g[data-export-footer] text').join(' '),
				chartY: Number(chart?.getAttribute('y')),
				footerY: Math.min(...[...doc.querySelectorAll('svg > g[data-export-footer] text')].map((t) => Number(t.getAttribute('y')))),
				// On screen: the territory in the view's heading, the legend beside the chart.
				territory: document.querySelector('h1[data-territory]')?.textContent?.trim() ?? '',
				screenLegend: [...document.querySelectorAll('[data-chart="nuclei-mese"] .legend li')].map((li) => ({
					label: li.textContent?.trim(),
					color: li.querySelector('line')?.getAttribute('stroke')?.toLowerCase()
				})),
				version: document.querySelector('[data-extract-version]')?.getAttribute('data-extract-version') ?? null
			};
		}, text);
		expect(check.error).toBeNull();
		expect(check.root).toBe('http://www.w3.org/2000/svg');
		expect(check.width).toBe(String(check.screenWidth));
		expect(check.font).toMatch(/^'Titillium Web', .*sans-serif$/);
		expect(check.file).not.toBeNull();
		expect(check.chartHeight).toBe(check.screenHeight);
		expect(check.file!.lines.length).toBeGreaterThan(0);
		expect(check.file!.lines).toEqual(check.screen.lines);
		expect(check.file!.points).toBe(check.screen.points);
		expect(check.file!.ticks).toEqual(check.screen.ticks);

		// Title as on screen, then what it shows: the territory and the period.
		expect(check.head[0]).toBe('Nuclei beneficiari per mese');
		expect(check.territory).toMatch(/^Ambito sintetico /);
		expect(check.head.slice(1).join(' ')).toMatch(new RegExp(`^${check.territory} · .* · da [a-z]+ \\d{4} a [a-z]+ \\d{4}$`));
		// The legend entries as on screen, with their colours.
		expect(check.screenLegend.length).toBeGreaterThan(0);
		expect(check.legend).toEqual(check.screenLegend);
		// The source with the published version, below the chart.
		expect(check.version).not.toBeNull();
		expect(check.footer).toMatch(/Fonte: elaborazione Cruscotto su dati INPS, .* ISTAT/);
		expect(check.footer).toContain(`Versione dei dati ${check.version}`);
		expect(check.footer).toContain('Dati sintetici'); // the demo's data are
		expect(check.chartY).toBeGreaterThan(40);
		expect(check.footerY).toBeGreaterThan(check.chartY + check.chartHeight);
		expect(check.height).toBeGreaterThan(check.footerY);
	});

	test('PNG of the same chart: PNG signature, twice the size of the framed SVG (taller than the chart on screen), the chart actually drawn', async () => {
		const frame = page.locator('[data-chart="nuclei-mese"]');
		const svgFile = (await downloadFrom(frame.locator('[data-export="svg"]'))).bytes.toString('utf8');
		const framedHeight = Number(/^<svg [^>]*height="(\d+)"/.exec(svgFile)![1]);
		const chartY = Number(/<svg x="0" y="(\d+)"/.exec(svgFile)![1]);
		const { name, bytes } = await downloadFrom(frame.locator('[data-export="png"]'));
		if (process.env.EXPORTS_KEEP) await writeFile(path.join(process.env.EXPORTS_KEEP, name), bytes);
		expect(name).toMatch(/\.png$/);
		expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
		expect(bytes.length).toBeGreaterThan(10_000);
		// IHDR: the first chunk, width and height big-endian after its length and type.
		expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
		const box = (await frame.locator('svg[role="img"]').boundingBox())!;
		expect(bytes.readUInt32BE(16)).toBe(2 * Math.round(box.width));
		expect(bytes.readUInt32BE(20)).toBe(2 * framedHeight);
		// Title, legend and footer: at least 100 px more than the chart (200 at 2×).
		expect(bytes.readUInt32BE(20)).toBeGreaterThan(2 * Math.round(box.height) + 200);
		// Decoded in the page: the line colour (#0066CC) covers a visible part of the image, and
		// text (dark pixels) is drawn above the chart (the title) and below it (the source).
		const drawn = await page.evaluate(async ([b64, chartTop, chartBottom]) => {
			// From bytes, not a data: URL: the app's CSP (connect-src) forbids fetching one.
			const img = await createImageBitmap(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/png' }));
			const c = new OffscreenCanvas(img.width, img.height);
			const ctx = c.getContext('2d')!;
			ctx.drawImage(img, 0, 0);
			const px = ctx.getImageData(0, 0, img.width, img.height).data;
			let [blue, above, below] = [0, 0, 0];
			for (let i = 0; i < px.length; i += 4) {
				if (Math.abs(px[i]) < 30 && Math.abs(px[i + 1] - 0x66) < 30 && Math.abs(px[i + 2] - 0xcc) < 30) blue++;
				const dark = px[i] < 120 && px[i + 1] < 120 && px[i + 2] < 140;
				const y = Math.floor(i / 4 / img.width);
				if (dark && y < chartTop) above++;
				if (dark && y > chartBottom) below++;
			}
			return { blue: blue / (img.width * img.height), above, below };
		}, [bytes.toString('base64'), 2 * chartY, 2 * (chartY + Math.round(box.height))] as const);
		expect(drawn.blue).toBeGreaterThan(0.002);
		expect(drawn.above).toBeGreaterThan(200);
		expect(drawn.below).toBeGreaterThan(200);
	});

	test('CSV and Excel of the households table: the rows on screen, Italian formats in the CSV, the same numbers in the workbook', async () => {
		const frame = page.locator('[data-chart="nuclei-mese"]');
		await frame.locator('summary').click();
		const shown = await shownTable(frame);
		expect(shown.length).toBeGreaterThan(12);

		// The exported image carries the confidentiality note exactly when the chart's data has a suppressed value.
		const image = await framedParts((await downloadFrom(frame.locator('[data-export="svg"]'))).bytes.toString('utf8'));
		expect(image.footer.includes(CONFIDENTIALITY_NOTE)).toBe(shown.flat().some((c) => c === '< 3' || c === 'n.d.'));

		const csv = await downloadFrom(frame.locator('[data-export="csv"]'));
		expect(csv.name).toMatch(/_nuclei_\d{4}-\d{2}-\d{4}-\d{2}\.csv$/);
		expect(csv.bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf])); // BOM: Excel reads UTF-8
		const lines = csv.bytes.toString('utf8').slice(1).split('\r\n');
		expect(lines.pop()).toBe('');
		expect(lines.map((l) => l.split(';'))).toEqual(shown);
		expect(shown.flat().some((c) => /\d\.\d{3}/.test(c))).toBe(true); // thousands with a dot
		expect(shown.flat().some((c) => /\d,\d{2} €/.test(c.replace(/\u00a0/g, ' ')))).toBe(true); // euro with a decimal comma

		const xlsx = await downloadFrom(frame.locator('[data-export="xlsx"]'));
		expect(xlsx.name).toBe(csv.name.replace(/\.csv$/, '.xlsx'));
		expect(xlsx.bytes.subarray(0, 2).toString()).toBe('PK');
		const sheet = readFirstSheet(xlsx.bytes);
		expect(sheet.length).toBe(shown.length);
		expect(sheet[0]).toEqual(shown[0]);
		let numbers = 0;
		sheet.slice(1).forEach((row, r) =>
			row.forEach((cell, c) => {
				const text = shown[r + 1][c];
				const n = italianNumber(text);
				if (typeof cell === 'number') {
					numbers++;
					expect(n, `row ${r + 1} col ${c}: "${text}" on screen`).not.toBeNull();
					// Screen values are rounded (2 decimals at most): the workbook keeps the exact figure.
					expect(Math.abs(cell - n!), `row ${r + 1} col ${c}`).toBeLessThanOrEqual(0.005 + Math.abs(n!) * 1e-9);
				} else expect(cell).toBe(text); // months, measures, "< 3", "n.d."
			})
		);
		expect(numbers).toBeGreaterThan(3 * (sheet.length - 1));
		// the workbook's second sheet says what the table is and where its figures come from (the CSV stays rows alone)
		expect(sheetCount(xlsx.bytes)).toBe(2);
		const notes = readSheet(xlsx.bytes, 1).map((r) => String(r[0]));
		expect(notes[0]).toBe((await frame.locator('caption').first().textContent())?.trim());
		expect(notes.at(-1)).toMatch(/^Fonte: elaborazione Cruscotto su dati INPS.*Versione dei dati \S+, pubblicata il/);
		expect(notes.includes(CONFIDENTIALITY_NOTE)).toBe(shown.flat().some((c) => c === '< 3' || c === 'n.d.'));
	});

	test('Caratteristiche: shares as percentages in the CSV, as fractions in the workbook', async () => {
		await page.getByRole('link', { name: 'Caratteristiche dei nuclei' }).click();
		const frame = page.locator('[data-chart="ampiezza"]');
		await frame.waitFor({ timeout: 60_000 });
		await frame.locator('summary').click();
		const shown = await shownTable(frame);
		const csv = await downloadFrom(frame.locator('[data-export="csv"]'));
		expect(csv.bytes.toString('utf8').slice(1).trimEnd().split('\r\n').map((l) => l.split(';'))).toEqual(shown);
		expect(shown[1].some((c) => /^\d+,\d%$/.test(c.replace(/\u00a0/g, '')))).toBe(true);
		const sheet = readFirstSheet((await downloadFrom(frame.locator('[data-export="xlsx"]'))).bytes);
		const share = sheet[1].findIndex((c) => typeof c === 'number' && c > 0 && c < 1);
		expect(share).toBeGreaterThan(0);
		expect(Math.abs((sheet[1][share] as number) - italianNumber(shown[1][share])!)).toBeLessThanOrEqual(0.0005);
	});
	test('Andamento per measure: the SVG names indicator, territory and period, lists the five measures as the legend, and notes the suppressed months', async () => {
		await page.getByRole('link', { name: 'Andamento' }).click();
		const frame = page.locator('[data-chart="andamento-misure"]');
		await frame.locator('svg[role="img"] path[fill="none"]').first().waitFor({ timeout: 60_000 });
		const t = (await page.locator('h1[data-territory]').getAttribute('data-territory'))!;
		const screenLegend = (await frame.locator('.legend li').allTextContents()).map((x) => x.trim());
		expect(screenLegend.length).toBeGreaterThanOrEqual(4);
		const parts = await framedParts((await downloadFrom(frame.locator('[data-export="svg"]'))).bytes.toString('utf8'));
		expect(parts.error).toBeNull();
		expect(parts.head[0]).toBe((await frame.locator('h2').textContent())!.trim());
		expect(parts.head.slice(1).join(' ')).toMatch(new RegExp(`^${(await page.locator('h1[data-territory]').textContent())!.trim()} · da [a-z]+ \\d{4} a [a-z]+ \\d{4}$`));
		expect(parts.legend).toEqual(screenLegend);
		// The demo has months whose SFL figures are suppressed for this Ambito: the note must be there.
		const oracle = await oracleFor(inject('extractsDir'), t);
		try {
			const [{ n }] = await oracle.rows('SELECT count(*) AS n FROM f WHERE territory_id = ? AND nuclei IS NULL', [t]);
			expect(n).toBeGreaterThan(0);
		} finally {
			oracle.close();
		}
		expect(parts.footer).toContain(CONFIDENTIALITY_NOTE);
		expect(parts.footer).toMatch(/Fonte: elaborazione Cruscotto su dati INPS/);
	});

	test('Confronto map (Regione user): the SVG carries its title as on screen, the colour scale, and the source; the PNG is taller than the map', async () => {
		await browser.context.clearCookies();
		page = await browser.context.newPage();
		await loginAs(page, identityOf(identities, 'regione').fiscal_code, '/confronto');
		const panel = page.locator('section[aria-labelledby="map-title"]');
		const map = panel.locator('.map svg');
		await page.locator('table[data-table="confronto"] tbody tr').first().waitFor({ timeout: 90_000 });
		const screenScale = (await map.locator('g[aria-label="Legenda"] text').allTextContents()).map((x) => x.trim());
		// Several colour classes (the Comuni found by their ids in the boundary file), then the hatch for suppressed ones.
		expect(screenScale.length).toBeGreaterThan(2);
		const svg = (await downloadFrom(panel.locator('[data-export="svg"]'))).bytes.toString('utf8');
		const parts = await framedParts(svg);
		expect(parts.error).toBeNull();
		// The areas (drawn on a canvas on screen) are in the file as paths, each with a class colour or the hatch.
		const drawn = Number(await panel.locator('canvas[data-drawn]').getAttribute('data-areas'));
		const fills = await page.evaluate((t) => [...new DOMParser().parseFromString(t, 'image/svg+xml').querySelectorAll('svg > svg [data-map-areas] path')].map((p) => p.getAttribute('fill') ?? ''), svg);
		expect(drawn).toBeGreaterThan(100);
		expect(fills).toHaveLength(drawn);
		expect(fills.filter((f) => !/^#[0-9a-f]{6}$|^url\(#hatch-\w+\)$/.test(f))).toEqual([]);
		expect(parts.head[0]).toBe((await page.locator('#map-title').textContent())!.trim());
		expect(parts.head.slice(1).join(' ')).toMatch(/^(Comuni|Ambiti \(ATS\)) di Campania · .+ · [a-z]+ \d{4}$/);
		for (const entry of screenScale) expect(parts.chart).toContain(entry);
		expect(parts.footer).toMatch(/Fonte: elaborazione Cruscotto su dati INPS.*Versione dei dati \S+, pubblicata il/);
		const png = (await downloadFrom(panel.locator('[data-export="png"]'))).bytes;
		if (process.env.EXPORTS_KEEP) await writeFile(path.join(process.env.EXPORTS_KEEP, 'confronto-map.png'), png);
		const box = (await map.boundingBox())!;
		expect(png.readUInt32BE(16)).toBe(2 * Math.round(box.width));
		expect(png.readUInt32BE(20)).toBe(2 * Number(/^<svg [^>]*height="(\d+)"/.exec(svg)![1]));
		expect(png.readUInt32BE(20)).toBeGreaterThan(2 * Math.round(box.height) + 200);
	});
});
