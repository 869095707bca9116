import { line } from 'd3';
import { describe, expect, test } from 'vitest';
import { gapCount, panelColumns, panelScales, seriesTable, xDomain, yDomains, type Series } from './small-multiples-utils.ts';

const m = (y: number, mo: number) => new Date(Date.UTC(y, mo - 1, 1));
const big: Series = { id: 'c:015146', name: 'Milano', months: [m(2024, 1), m(2024, 2), m(2024, 3)], values: [30, 32, null] };
const small: Series = { id: 'c:016001', name: 'Adrara', months: [m(2024, 2), m(2024, 3)], values: [null, 4] };

describe('small multiples', () => {
	test('a shared y scale gives every panel the largest maximum', () => {
		expect(yDomains([big, small], true)).toEqual([
			[0, 32],
			[0, 32]
		]);
	});
	test('independent scales fit each panel; an all-suppressed panel still has a domain', () => {
		expect(yDomains([big, small], false)).toEqual([
			[0, 32],
			[0, 4]
		]);
		expect(yDomains([{ ...small, values: [null, null] }], false)).toEqual([[0, 1]]);
	});
	test('the x domain spans every month of every panel', () => {
		expect(xDomain([big, small])).toEqual([m(2024, 1), m(2024, 3)]);
	});
	test('suppressed points are gaps in the line, not zeros', () => {
		const s = panelScales(xDomain([big]), [0, 32], 200, 100);
		const d = line<number | null>()
			.defined((v) => v !== null)
			.x((_, i) => s.x(big.months[i]))
			.y((v) => s.y(v as number))(big.values);
		expect(d?.match(/M/g)).toHaveLength(1);
		expect(d?.split('L')).toHaveLength(2); // two points drawn, the third left out
		expect(gapCount(big)).toBe(1);
	});
	test('panels wrap to the width (390 px phone: one column)', () => {
		expect(panelColumns(390, 4)).toBe(1);
		expect(panelColumns(1280, 4)).toBe(4);
		expect(panelColumns(1280, 2)).toBe(2);
	});
});

describe('seriesTable', () => {
	const d = (m: number) => new Date(Date.UTC(2024, m, 1));
	test('a row per month of the reference, a column per panel and the reference last; "—" where a panel has no row', () => {
		const ref = { id: 'r:05', name: 'Veneto', months: [d(0), d(1), d(2)], values: [10, 11, 12] };
		const a = { id: 'c:1', name: 'Abano', months: [d(0), d(2)], values: [1, null] };
		const t = seriesTable([a], ref, { caption: 'Nuclei', kind: 'count', formatMonth: (m) => m.toISOString().slice(0, 7) });
		expect(t.columns.map((c) => c.label)).toEqual(['Mese', 'Abano', 'Veneto (riferimento)']);
		expect(t.rows).toEqual([
			{ mese: '2024-01', s0: 1, s1: 10 },
			{ mese: '2024-02', s0: '—', s1: 11 },
			{ mese: '2024-03', s0: null, s1: 12 }
		]);
	});
});
