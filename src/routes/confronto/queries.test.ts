import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { COMPARISON_SCOPES } from '#lib/data/test-fixture.ts';
import { indicatorOf } from './indicators.ts';
import { rankItems } from '#lib/charts/ranking/ranking-utils.ts';
import { comparisonQuery, comuneAtsQuery, levelMonthsQuery, readLevelMonths, monthListsQuery, monthSliceQuery, monthTable, monthsQuery, seriesQuery, territoriesQuery, type Built } from './queries.ts';
import { confrontoTestEngine, type TestEngine } from './test-engine.ts';

let engine: TestEngine;
// Comparison rows come in no order: the scope first, then by name, for the assertions.
const run = async ({ sql, params }: Built) =>
	(await engine.query(sql, params)).sort((a, b) => Number(b.is_scope ?? 0) - Number(a.is_scope ?? 0) || String(a.name ?? a.id).localeCompare(String(b.name ?? b.id)));

beforeAll(async () => {
	engine = await confrontoTestEngine();
});
afterAll(() => engine?.close());

const raw = async (id: string, month: string, measure: string, col: string) => {
	const [r] = await engine.query(`SELECT ${col} AS v FROM fixture WHERE territory_id = ? AND month = ?::DATE AND measure = ?`, [id, `${month}-01`, measure]);
	return r?.v ?? null;
};

describe('comparisonQuery', () => {
	test('every Comune of the Regione, plus the Regione as reference, for one measure', async () => {
		const rows = await run(comparisonQuery({ t: 'r:05', level: 'comune', month: '2024-01', measure: 'ADI', indicator: indicatorOf('nuclei') }));
		expect(rows.map((r) => r.id)).toEqual(['r:05', 'c:028001', 'c:028002', 'c:028003']);
		expect(rows[0].is_scope).toBe(true);
		const abano = rows.find((r) => r.id === 'c:028001')!;
		expect(abano.value).toBe(await raw('c:028001', '2024-01', 'ADI', 'nuclei'));
		expect(abano.rate).toBeCloseTo(((abano.value as number) * 1000) / 19726, 10);
		expect(abano.state).toBe('ok');
	});

	test('a suppressed Comune is null with state "riservato", never 0', async () => {
		const rows = await run(comparisonQuery({ t: 'a:X05001', level: 'comune', month: '2024-01', measure: 'ADI', indicator: indicatorOf('nuclei') }));
		const albignasego = rows.find((r) => r.id === 'c:028003')!;
		expect(await raw('c:028003', '2024-01', 'ADI', 'nuclei')).toBeNull();
		expect(albignasego).toMatchObject({ value: null, rate: null, state: 'riservato' });
	});

	test('the household total adds RdC and PdC, and is suppressed when any part is', async () => {
		const rows = await run(comparisonQuery({ t: 'a:X05001', level: 'comune', month: '2023-11', measure: 'totale', indicator: indicatorOf('nuclei') }));
		const abano = rows.find((r) => r.id === 'c:028001')!;
		const parts = [await raw('c:028001', '2023-11', 'RdC', 'nuclei'), await raw('c:028001', '2023-11', 'PdC', 'nuclei')];
		expect(abano.value).toBe((parts[0] as number) + (parts[1] as number));
		// Agna: RdC is published, PdC is suppressed: the sum would be a wrong number.
		expect(await raw('c:028002', '2023-11', 'RdC', 'nuclei')).not.toBeNull();
		expect(await raw('c:028002', '2023-11', 'PdC', 'nuclei')).toBeNull();
		// …and it is not "fewer than 3 households" (RdC alone may be 57): "n.d.", not "< 3"
		expect(rows.find((r) => r.id === 'c:028002')).toMatchObject({ value: null, state: 'non_pubblicato' });
	});

	test('SFL is never part of the household total', async () => {
		const [tot] = await run(comparisonQuery({ t: 'a:X05001', level: 'comune', month: '2024-02', measure: 'totale', indicator: indicatorOf('persone') }));
		expect(tot.value).toBe(await raw('a:X05001', '2024-02', 'ADI', 'persone'));
	});

	test('the mean amount of the total is weighted by households and has no rate', async () => {
		const [r] = await run(comparisonQuery({ t: 'a:X05001', level: 'comune', month: '2023-12', measure: 'totale', indicator: indicatorOf('importo_medio') }));
		const [want] = await engine.query(
			`SELECT sum(importo_medio * nuclei) / sum(nuclei) AS m FROM fixture WHERE territory_id = 'a:X05001' AND month = DATE '2023-12-01' AND measure IN ('RdC', 'PdC')`
		);
		expect(r.value).toBeCloseTo(want.m as number, 9);
		expect(r.rate).toBeNull();
	});

	test('a category that does not apply to the measure is "assente", not suppressed', async () => {
		await engine.query(`CREATE TEMP TABLE saved AS SELECT * FROM extract`);
		await engine.query(`UPDATE extract SET nuclei_over60 = NULL WHERE measure = 'RdC'`);
		const rows = await run(comparisonQuery({ t: 'a:X05001', level: 'comune', month: '2023-11', measure: 'RdC', indicator: indicatorOf('nuclei_over60') }));
		expect(rows.find((r) => r.id === 'c:028001')).toMatchObject({ value: null, state: 'assente' });
		await engine.query(`UPDATE extract SET nuclei_over60 = NULL, soppressi_primari = list_append(soppressi_primari, 'nuclei_over60') WHERE territory_id = 'c:028002'`);
		const adi = await run(comparisonQuery({ t: 'a:X05001', level: 'comune', month: '2024-01', measure: 'ADI', indicator: indicatorOf('nuclei_over60') }));
		expect(adi.find((r) => r.id === 'c:028002')).toMatchObject({ value: null, state: 'riservato' });
		// hidden only so that another cell cannot be recovered by subtraction: not "fewer than 3"
		await engine.query(`UPDATE extract SET nuclei_over60 = NULL, soppressi_secondari = list_append(soppressi_secondari, 'nuclei_over60') WHERE territory_id = 'c:028001'`);
		const secondary = await run(comparisonQuery({ t: 'a:X05001', level: 'comune', month: '2024-01', measure: 'ADI', indicator: indicatorOf('nuclei_over60') }));
		expect(secondary.find((r) => r.id === 'c:028001')).toMatchObject({ value: null, state: 'non_pubblicato' });
		await engine.query(`DELETE FROM extract; INSERT INTO extract SELECT * FROM saved; DROP TABLE saved`);
	});

	test('one measure\'s count hidden by secondary suppression is "non_pubblicato" (it may be 40), a primary one "riservato": from the extract, the month slice and the series', async () => {
		await engine.query(`CREATE TEMP TABLE saved AS SELECT * FROM extract`);
		// Abano Terme, ADI, 2024-02: hidden so that another cell cannot be recovered by subtraction
		await engine.query(
			`UPDATE extract SET nuclei = NULL, persone = NULL, importo_medio = NULL, importo_totale = NULL, nuclei_per_1000 = NULL,
				soppressi_secondari = ['nuclei', 'persone', 'importo_medio', 'importo_totale', 'nuclei_per_1000']
			WHERE territory_id = 'c:028001' AND measure = 'ADI' AND month = DATE '2024-02-01'`
		);
		try {
			const o = { t: 'a:X05001', level: 'comune', month: '2024-02', measure: 'ADI' } as const;
			await run(monthSliceQuery('2024-02'));
			for (const key of ['nuclei', 'persone']) {
				for (const slice of [false, true]) {
					const rows = await run(comparisonQuery({ ...o, indicator: indicatorOf(key) }, { slice }));
					expect(rows.find((r) => r.id === 'c:028001'), `${key} slice=${slice}`).toMatchObject({ value: null, state: 'non_pubblicato' });
					expect(rows.find((r) => r.id === 'c:028003'), `${key} slice=${slice}`).toMatchObject({ value: null, state: 'riservato' });
				}
				const series = await run(seriesQuery({ ids: ['c:028001', 'c:028003'], measure: 'ADI', indicator: indicatorOf(key) }));
				expect(series.find((r) => r.id === 'c:028001' && r.month === '2024-02')).toMatchObject({ value: null, state: 'non_pubblicato' });
				expect(series.find((r) => r.id === 'c:028003' && r.month === '2024-02')).toMatchObject({ value: null, state: 'riservato' });
			}
		} finally {
			await engine.query(`DELETE FROM extract; INSERT INTO extract SELECT * FROM saved; DROP TABLE saved; DROP TABLE ${monthTable('2024-02')}`);
		}
	});

	test('ATS level inside a Regione, and Regioni inside Italia', async () => {
		const ats = await run(comparisonQuery({ t: 'r:05', level: 'ats', month: '2024-01', measure: 'ADI', indicator: indicatorOf('nuclei') }));
		expect(ats.map((r) => r.id)).toEqual(['r:05', 'a:X05001']);
		const reg = await run(comparisonQuery({ t: 'it', level: 'regione', month: '2024-01', measure: 'ADI', indicator: indicatorOf('nuclei') }));
		expect(reg.map((r) => r.id)).toEqual(['it', 'r:05']);
	});
});

describe('the other queries', () => {
	test('series: one row per month per territory, suppressed months null', async () => {
		const rows = await run(seriesQuery({ ids: ['c:028001', 'c:028003'], measure: 'totale', indicator: indicatorOf('nuclei') }));
		expect(rows.filter((r) => r.id === 'c:028001').map((r) => r.month)).toEqual(['2023-10', '2023-11', '2023-12', '2024-01', '2024-02']);
		// one measure (ADI, from 2024): under 3; a sum of two (RdC + PdC): not published, not "< 3"
		expect(rows.filter((r) => r.id === 'c:028003').every((r) => r.value === null && r.state === (String(r.month) < '2024-01' ? 'non_pubblicato' : 'riservato'))).toBe(true);
		const jan = rows.find((r) => r.id === 'c:028001' && r.month === '2024-01')!;
		expect(jan.rate).toBeCloseTo(((await raw('c:028001', '2024-01', 'ADI', 'nuclei')) as number) * 1000 / 19726, 10);
	});
	test('months list the measures paid in each', async () => {
		const rows = await run(monthsQuery('r:05'));
		expect(rows[0]).toEqual({ month: '2023-10', measures: ['PdC', 'RdC', 'SFL'] });
		expect(rows.at(-1)).toEqual({ month: '2024-02', measures: ['ADI', 'SFL'] });
	});
	test('the months of every territory above Comune level are, per territory, its own months query', async () => {
		const q = levelMonthsQuery();
		const months = readLevelMonths(await engine.queryColumns(q.sql, q.params));
		const ids = [...months.keys()];
		expect(ids).toEqual(expect.arrayContaining(['it', 'r:05', 'a:X05001']));
		expect(ids.some((id) => id.startsWith('c:'))).toBe(false);
		for (const id of ids) expect(months.get(id), id).toEqual(await run(monthsQuery(id)));
		// A measure outside the contract's: that territory is left to its own months query.
		await engine.query(`UPDATE extract SET measure = 'XYZ' WHERE territory_id = 'r:05' AND measure = 'ADI'`);
		try {
			const odd = readLevelMonths(await engine.queryColumns(q.sql, q.params));
			expect(odd.has('r:05')).toBe(false);
			expect(odd.get('it')).toEqual(months.get('it'));
		} finally {
			await engine.query(`UPDATE extract SET measure = 'ADI' WHERE territory_id = 'r:05' AND measure = 'XYZ'`);
		}
	});
	test('territories and the Comune → ATS map', async () => {
		const rows = await run(territoriesQuery('c:028002'));
		expect(rows.map((r) => r.id).sort()).toEqual(['a:X05001', 'c:028002', 'it', 'r:05']);
		const index = await engine.query('SELECT id, regione_id FROM confronto_territori ORDER BY id');
		expect(index).toContainEqual({ id: 'c:028002', regione_id: 'r:05' });
		expect(index).toContainEqual({ id: 'a:X05001', regione_id: 'r:05' });
		const map = await run(comuneAtsQuery('r:05'));
		expect(map).toHaveLength(3);
		expect(new Set(map.map((r) => r.parent_id))).toEqual(new Set(['a:X05001']));
	});
	test('values travel as parameters: a hostile id is just an unknown id', async () => {
		const rows = await run(seriesQuery({ ids: ["x'); DROP TABLE extract; --"], measure: 'ADI', indicator: indicatorOf('nuclei') }));
		expect(rows).toEqual([]);
		expect((await engine.query('SELECT count(*) AS n FROM extract'))[0].n).toBeGreaterThan(0);
	});
});

describe('the month slice', () => {
	test('answers every comparison with the same rows as the whole extract', async () => {
		const cases = COMPARISON_SCOPES;
		let compared = 0;
		// Over 60 does not apply to RdC (NULL, not listed): "assente" must survive the slice too.
		await engine.query(`CREATE TEMP TABLE saved AS SELECT * FROM extract`);
		await engine.query(`UPDATE extract SET nuclei_over60 = NULL WHERE measure = 'RdC'`);
		for (const month of ['2023-11', '2024-01']) {
			await run(monthSliceQuery(month));
			await run(monthListsQuery(month));
			for (const c of cases)
				for (const measure of ['totale', 'RdC', 'ADI', 'SFL'] as const)
					for (const key of ['nuclei', 'persone', 'importo_medio', 'nuclei_minori', 'nuclei_over60']) {
						const o = { ...c, month, measure, indicator: indicatorOf(key) };
						const whole = await engine.query(comparisonQuery(o).sql, comparisonQuery(o).params);
						const slice = await engine.query(comparisonQuery(o, { slice: true }).sql, comparisonQuery(o, { slice: true }).params);
						expect(slice, `${month} ${c.t} ${c.level} ${measure} ${key}`).toEqual(whole);
						compared += whole.length;
					}
		}
		await engine.query(`DELETE FROM extract; INSERT INTO extract SELECT * FROM saved; DROP TABLE saved`);
		expect(compared).toBeGreaterThan(100);
	});

	test('holds only its month, and a month name never reaches SQL unchecked', async () => {
		await run(monthSliceQuery('2024-02'));
		const [{ n }] = await engine.query(`SELECT count(*) AS n FROM ${monthTable('2024-02')}`);
		const [{ m }] = await engine.query(`SELECT count(*) AS m FROM extract WHERE month = DATE '2024-02-01'`);
		expect(n).toBe(m);
		expect(() => monthTable('2024-02; DROP TABLE extract')).toThrow();
	});

	test('the ranking (top and bottom) equals a direct DuckDB query on the extract', async () => {
		const o = { t: 'r:05', level: 'comune', month: '2024-01', measure: 'ADI', indicator: indicatorOf('nuclei') } as const;
		await run(monthSliceQuery(o.month));
		const built = comparisonQuery(o, { slice: true });
		const cols = await engine.queryColumns(built.sql, built.params);
		const scope = cols.values('is_scope');
		const idx = [...Array(cols.numRows).keys()].filter((i) => !scope[i]);
		const rates = cols.numbers('rate');
		const names = cols.values('name');
		const values = idx.map((i) => (Number.isNaN(rates[i]) ? null : rates[i]));
		const direct = await engine.query(
			`SELECT name, nuclei * 1000.0 / residenti AS rate FROM extract
			 WHERE level = 'comune' AND measure = 'ADI' AND month = DATE '2024-01-01' AND nuclei IS NOT NULL ORDER BY rate DESC, name`
		);
		const top = rankItems(values, 10, 'top');
		expect(top.items.map((d) => names[idx[d.index]])).toEqual(direct.map((r) => r.name));
		top.items.forEach((d, k) => expect(d.value).toBeCloseTo(direct[k].rate as number, 10));
		expect(top.suppressed).toBe(idx.length - direct.length);
		const bottom = rankItems(values, 10, 'bottom');
		expect(bottom.items.map((d) => names[idx[d.index]])).toEqual(direct.map((r) => r.name).reverse());
	});
});

describe('queryColumns (the columnar seam)', () => {
	test('numbers come as doubles with NULL as NaN, other columns as plain values', async () => {
		const cols = await engine.queryColumns(`SELECT * FROM (VALUES (1, 'a', 2.5::DOUBLE, true), (2, NULL, NULL, false)) v(n, s, d, b) ORDER BY n`);
		expect(cols.numRows).toBe(2);
		expect([...cols.numbers('n')]).toEqual([1, 2]);
		expect(cols.numbers('d')[0]).toBe(2.5);
		expect(Number.isNaN(cols.numbers('d')[1])).toBe(true);
		expect(cols.values('s')).toEqual(['a', null]);
		expect(cols.values('b')).toEqual([true, false]);
		expect(() => cols.numbers('missing')).toThrow();
	});
});
