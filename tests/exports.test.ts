/**
 * The export buttons in Chromium, as a user clicks them: the files that land on disk are
 * checked, not the functions that make them. SVG: parses and holds the chart's marks; PNG: a
 * real image at 2× with the chart drawn; CSV: the rows of the table on screen, Italian formats;
 * Excel: a workbook that opens, with the same numbers.
 */
import { readFile } from 'node:fs/promises';
import type { Download, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchBrowser } from './support/browser.ts';
import { loginAs } from './support/login.ts';
import { identityOf } from './support/stack.ts';
import { readFirstSheet } from './support/xlsx-reader.ts';

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

describe.runIf(inject('hasExtracts'))('exports as downloaded', () => {
	test('SVG of the households chart: parses, stands alone and holds every line and point drawn on screen', async () => {
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
			return {
				error: doc.querySelector('parsererror')?.textContent ?? null,
				root: doc.documentElement.namespaceURI,
				width: doc.documentElement.getAttribute('width'),
				file: marks(doc),
				screen: marks(screen),
				screenWidth: Math.round(screen.getBoundingClientRect().width)
			};
		}, text);
		expect(check.error).toBeNull();
		expect(check.root).toBe('http://www.w3.org/2000/svg');
		expect(check.width).toBe(String(check.screenWidth));
		expect(check.file.lines.length).toBeGreaterThan(0);
		expect(check.file.lines).toEqual(check.screen.lines);
		expect(check.file.points).toBe(check.screen.points);
		expect(check.file.ticks).toEqual(check.screen.ticks);
	});

	test('PNG of the same chart: PNG signature, twice the size on screen, the chart actually drawn', async () => {
		const frame = page.locator('[data-chart="nuclei-mese"]');
		const { name, bytes } = await downloadFrom(frame.locator('[data-export="png"]'));
		expect(name).toMatch(/\.png$/);
		expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
		expect(bytes.length).toBeGreaterThan(10_000);
		const box = (await frame.locator('svg[role="img"]').boundingBox())!;
		expect(bytes.readUInt32BE(16)).toBe(2 * Math.round(box.width));
		expect(bytes.readUInt32BE(20)).toBe(2 * Math.round(box.height));
		// Decoded in the page: the line colour (#0066CC) covers a visible part of the image.
		const blue = await page.evaluate(async (b64) => {
			// From bytes, not a data: URL: the app's CSP (connect-src) forbids fetching one.
			const img = await createImageBitmap(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/png' }));
			const c = new OffscreenCanvas(img.width, img.height);
			const ctx = c.getContext('2d')!;
			ctx.drawImage(img, 0, 0);
			const px = ctx.getImageData(0, 0, img.width, img.height).data;
			let n = 0;
			for (let i = 0; i < px.length; i += 4) if (Math.abs(px[i]) < 30 && Math.abs(px[i + 1] - 0x66) < 30 && Math.abs(px[i + 2] - 0xcc) < 30) n++;
			return n / (img.width * img.height);
		}, bytes.toString('base64'));
		expect(blue).toBeGreaterThan(0.002);
	});

	test('CSV and Excel of the households table: the rows on screen, Italian formats in the CSV, the same numbers in the workbook', async () => {
		const frame = page.locator('[data-chart="nuclei-mese"]');
		await frame.locator('summary').click();
		const shown = await shownTable(frame);
		expect(shown.length).toBeGreaterThan(12);

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
});
