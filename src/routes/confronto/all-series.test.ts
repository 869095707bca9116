import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AllSeries, chunkRanges } from './all-series.ts';
import { INDICATORS, MEASURE_CHOICES } from './indicators.ts';
import { monthsQuery, seriesChunkQuery, seriesQuery, territoryKeysQuery } from './queries.ts';
import { confrontoTestEngine, type TestEngine } from './test-engine.ts';

let engine: TestEngine;

beforeAll(async () => {
	engine = await confrontoTestEngine(async (e) => {
		// Over 60 does not apply to RdC (NULL, not listed: "assente"); a secondary suppression of a
		// category and of a core count (listed, NULL: "non_pubblicato").
		await e.query(`UPDATE extract SET nuclei_over60 = NULL WHERE measure = 'RdC'`);
		await e.query(
			`UPDATE extract SET nuclei_minori = NULL, nuclei = NULL, soppressi_secondari = ['nuclei_minori', 'nuclei'] WHERE territory_id = 'c:028001' AND month = DATE '2024-01-01' AND measure = 'ADI'`
		);
	});
});
afterAll(() => engine?.close());

describe('chunkRanges', () => {
	test('cover every month, open at both ends', () => {
		expect(chunkRanges(['2023-10', '2023-11', '2023-12', '2024-01', '2024-02'], 2)).toEqual([
			{ from: null, before: '2023-12' },
			{ from: '2023-12', before: '2024-02' },
			{ from: '2024-02', before: null }
		]);
		expect(chunkRanges(['2023-10'], 4)).toEqual([{ from: null, before: null }]);
		expect(chunkRanges([], 4)).toEqual([{ from: null, before: null }]);
	});
});

describe('every territory\'s series, read a few months at a time', () => {
	test('equal each territory\'s own series query, for every indicator and measure choice', async () => {
		const months = (await engine.query(monthsQuery('r:05').sql, monthsQuery('r:05').params)).map((r) => String(r.month));
		// Chunks that start and end inside the months, and one that covers all of them.
		const keyRows = await engine.query(territoryKeysQuery().sql);
		const keys = new Map(keyRows.map((r) => [String(r.id), Number(r.k)]));
		const ids = [...keys.keys(), 'c:999999'];
		let compared = 0;
		for (const per of [2, 12])
			for (const measure of MEASURE_CHOICES)
				for (const indicator of INDICATORS) {
					const ranges = chunkRanges(months, per);
					const all = new AllSeries(ranges);
					for (let range = all.next; range; range = all.next) {
						const q = seriesChunkQuery({ measure, indicator, ...range });
						all.add(await engine.queryColumns(q.sql, q.params));
					}
					expect(ranges.length).toBe(per === 2 ? 3 : 1);
					expect(all.complete).toBe(true);
					const q = seriesQuery({ ids, measure, indicator });
					const want = await engine.query(q.sql, q.params);
					for (const id of ids) {
						const rows = want.filter((r) => r.id === id);
						const got = keys.has(id) ? all.series(keys.get(id)!, id, 'nome') : null;
						const where = `${per} ${measure} ${indicator.key} ${id}`;
						if (rows.length === 0) {
							expect(got, where).toBeNull();
							continue;
						}
						expect(got!.months.map((d) => d.toISOString().slice(0, 7)), where).toEqual(rows.map((r) => r.month));
						// What the small multiples plot: the rate of a count, the value of a mean.
						expect(got!.values, where).toEqual(rows.map((r) => (indicator.kind === 'count' ? r.rate : r.value)));
						compared += rows.length;
					}
				}
		expect(compared).toBeGreaterThan(1000);
	});
});
