import { describe, expect, test } from 'vitest';
import { ariaSort, compareCells, filterOrder, matchingRows, nameOrder, nextSort, normalizeSearch, parseSort, sortColumn, sortOrder, sortedPrefix } from './table-utils.ts';

describe('sorting with suppressed values', () => {
	const values = [12, null, 3, 40, null, 0];
	const names = ['Bergamo', 'Averara', 'Calco', 'Milano', 'Zogno', 'Dosso'];

	test('descending puts the largest first and suppressed last, never as 0', () => {
		const order = sortOrder(values, 'desc', names);
		expect(order.map((i) => values[i])).toEqual([40, 12, 3, 0, null, null]);
	});
	test('ascending still puts suppressed last, after the zero', () => {
		const order = sortOrder(values, 'asc', names);
		expect(order.map((i) => values[i])).toEqual([0, 3, 12, 40, null, null]);
		// ties (both suppressed) fall back to the name
		expect(order.slice(-2).map((i) => names[i])).toEqual(['Averara', 'Zogno']);
	});
	test('NaN counts as missing', () => {
		expect(compareCells(Number.NaN, 1, 'asc')).toBe(1);
		expect(compareCells(1, undefined, 'desc')).toBe(-1);
	});
	test('names sort with Italian collation and numbers inside names', () => {
		const n = ['Ambito 10', 'ambito 2', 'Àrbus'];
		expect(sortOrder(n, 'asc').map((i) => n[i])).toEqual(['ambito 2', 'Ambito 10', 'Àrbus']);
	});
});

describe('search', () => {
	test('ignores accents and case', () => {
		expect(normalizeSearch('  Forlì ')).toBe('forli');
		const names = ['Forlì', 'Cantù', 'Milano'];
		expect(filterOrder([2, 1, 0], names, 'CANTU')).toEqual([1]);
		expect(filterOrder([2, 1, 0], names, '')).toEqual([2, 1, 0]);
	});
});

describe('sort state', () => {
	const fallback = { key: 'rate', dir: 'desc' as const };
	test('parses the URL form and rejects unknown keys', () => {
		expect(parseSort('name:asc', ['name', 'rate'], fallback)).toEqual({ key: 'name', dir: 'asc' });
		expect(parseSort('drop table:asc', ['name', 'rate'], fallback)).toBe(fallback);
		expect(parseSort(null, ['name'], fallback)).toBe(fallback);
	});
	test('a click flips the current column and starts numbers descending', () => {
		expect(nextSort(fallback, 'rate', true)).toEqual({ key: 'rate', dir: 'asc' });
		expect(nextSort(fallback, 'name', false)).toEqual({ key: 'name', dir: 'asc' });
		expect(nextSort(fallback, 'value', true)).toEqual({ key: 'value', dir: 'desc' });
		expect(ariaSort(fallback, 'rate')).toBe('descending');
		expect(ariaSort(fallback, 'name')).toBe('none');
	});
});

describe('name order and integer ties', () => {
	test('nameOrder is Italian alphabetical order, accents and case ignored', () => {
		const names = ['Zogno', 'àbano', 'Abbiategrasso', 'Agna', 'Forlì', 'forli 2'];
		expect(nameOrder(names).map((i) => names[i])).toEqual(['àbano', 'Abbiategrasso', 'Agna', 'Forlì', 'forli 2', 'Zogno']);
	});
	test('rows in name order sort with ties in name order and nulls last, without a name tiebreak', () => {
		const rows = ['Agna', 'Bassano', 'Cittadella', 'Dolo'].map((name, i) => ({ id: `c:${i}`, name, residenti: 10, value: [5, null, 5, 7][i], rate: null, state: 'ok' as const }));
		expect(sortOrder(sortColumn(rows, 'valore'), 'desc').map((i) => rows[i].name)).toEqual(['Dolo', 'Agna', 'Cittadella', 'Bassano']);
		expect(sortOrder(sortColumn(rows, 'valore'), 'asc').map((i) => rows[i].name)).toEqual(['Agna', 'Cittadella', 'Dolo', 'Bassano']);
	});
});

describe('the rows drawn without sorting the rest', () => {
	test('sortedPrefix is the first k of the full order, with and without a search, every column and direction', () => {
		let x = 3;
		const rnd = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
		const base = ['Agna', 'Bassano', 'Cittadella', 'Dolo', 'Forlì', 'San Donà', 'Santorso', 'Zané'];
		const rows = nameOrder(Array.from({ length: 400 }, (_, i) => `${base[i % base.length]} ${i}`)).map((i) => {
			const v = rnd() < 0.1 ? null : Math.floor(rnd() * 30);
			return { id: `c:${i}`, name: `${base[i % base.length]} ${i}`, residenti: Math.floor(rnd() * 50), value: v, rate: v === null ? null : v / 3, state: 'ok' as const };
		});
		for (const key of ['nome', 'residenti', 'valore', 'tasso'])
			for (const dir of ['asc', 'desc'] as const)
				for (const q of ['', 'san', 'forli', 'nessuno'])
					for (const k of [25, 50, 1000]) {
						const column = sortColumn(rows, key);
						const matching = matchingRows(rows, q);
						const full = filterOrder(sortOrder(column, dir), rows.map((r) => r.name), q);
						expect(sortedPrefix(column, dir, k, matching ?? undefined), `${key} ${dir} "${q}" ${k}`).toEqual(full.slice(0, k));
						expect(matching?.length ?? rows.length).toBe(full.length);
					}
	});
});
