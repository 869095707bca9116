import { describe, expect, test } from 'vitest';
import { rankItems, rankingLayout, shortLabel } from './ranking-utils.ts';

const names = ['Bergamo', 'Averara', 'Calco', 'Milano', 'Zogno', 'Dosso'];
const values = [12, null, 3, 40, null, 12];

describe('rankItems', () => {
	test('top N are the largest known values, suppressed are never ranked', () => {
		const { items, known, suppressed } = rankItems(values, 3, 'top', names);
		expect(items.map((d) => names[d.index])).toEqual(['Milano', 'Bergamo', 'Dosso']);
		expect(items.map((d) => d.rank)).toEqual([1, 2, 3]);
		expect([known, suppressed]).toEqual([4, 2]);
	});
	test('bottom N are the smallest known values, smallest first, with their overall rank', () => {
		const { items } = rankItems(values, 2, 'bottom', names);
		expect(items.map((d) => [names[d.index], d.rank])).toEqual([
			['Calco', 4],
			['Dosso', 3]
		]);
	});
	test('N larger than the known values returns them all', () => {
		expect(rankItems(values, 50, 'top').items).toHaveLength(4);
		expect(rankItems([null, null], 5, 'top').items).toEqual([]);
	});
});

describe('rankItems against a full sort', () => {
	test('the same bars and ranks as sorting every known value (ties, nulls, both sides, with and without names)', () => {
		let x = 11;
		const rnd = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
		for (const n of [0, 5, 12, 200, 1506]) {
			const vals = Array.from({ length: n }, () => (rnd() < 0.15 ? null : Math.floor(rnd() * 40) / 4));
			const nms = Array.from({ length: n }, (_, i) => ['Agna', 'Àbano', 'Zogno', 'agna'][i % 4]);
			for (const withNames of [false, true]) {
				const known = vals.flatMap((v, i) => (v === null ? [] : [i]));
				known.sort((a, b) => vals[b]! - vals[a]! || (withNames ? nms[a].localeCompare(nms[b], 'it') : a - b));
				for (const side of ['top', 'bottom'] as const) {
					const want = (side === 'top' ? known.slice(0, 10) : known.slice(-10).reverse()).map((index) => ({ index, value: vals[index], rank: known.indexOf(index) + 1 }));
					expect(rankItems(vals, 10, side, withNames ? nms : undefined).items, `${n} ${side} ${withNames}`).toEqual(want);
				}
			}
		}
	});
});

describe('rankingLayout', () => {
	test('the scale starts at 0 and covers the reference when it exceeds every bar', () => {
		const { items } = rankItems([2, 4], 2, 'top');
		const layout = rankingLayout(items, 10, { left: 100, right: 20, width: 500 });
		expect(layout.x(0)).toBe(100);
		expect(layout.x(10)).toBeLessThanOrEqual(480);
		expect(layout.x.domain()[1]).toBeGreaterThanOrEqual(10);
		expect(layout.barY(1) - layout.barY(0)).toBe(22);
	});
	test('all-zero or empty data still gives a usable scale', () => {
		const layout = rankingLayout([], null, { left: 10, right: 10, width: 100 });
		expect(layout.x.domain()).toEqual([0, 1]);
	});
	test('long names are shortened with an ellipsis', () => {
		expect(shortLabel('Appiano sulla strada del vino/Eppan an der Weinstraße', 20)).toHaveLength(20);
		expect(shortLabel('Calco')).toBe('Calco');
	});
});
