import { afterEach, expect, test } from 'vitest';
import { mark, PERF_MARKS } from './perf.ts';

afterEach(() => performance.clearMarks());

test('a mark is set once per page load: the first call wins', async () => {
	mark('firstKpi');
	const first = performance.getEntriesByName(PERF_MARKS.firstKpi, 'mark');
	await new Promise((r) => setTimeout(r, 5));
	mark('firstKpi');
	const after = performance.getEntriesByName(PERF_MARKS.firstKpi, 'mark');
	expect(after).toHaveLength(1);
	expect(after[0].startTime).toBe(first[0].startTime);
});

test('the mark names are the ones bench/browser.ts reads', () => {
	expect(Object.values(PERF_MARKS)).toEqual([
		'cruscotto:token',
		'cruscotto:first-kpi',
		'cruscotto:first-chart',
		'cruscotto:engine-instantiated',
		'cruscotto:extract-loaded',
		'cruscotto:engine-ready',
		'cruscotto:interactive'
	]);
});
