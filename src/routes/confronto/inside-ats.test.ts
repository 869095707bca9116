import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ComparisonRow } from '#lib/charts/table/table-utils.ts';
import { INDICATORS, MEASURE_CHOICES } from './indicators.ts';
import { insideAts, type RowsAnswer } from './inside-ats.ts';
import { comparisonQuery, comuneAtsQuery, type ComparisonOptions } from './queries.ts';
import { confrontoTestEngine, type TestEngine } from './test-engine.ts';

let engine: TestEngine;

beforeAll(async () => {
	engine = await confrontoTestEngine(async (e) => {
		// A Comune of another ATS of the same Regione: it must not join the first ATS's Comuni.
		await e.query(`INSERT INTO extract SELECT * REPLACE ('c:028004' AS territory_id, 'Altro Comune' AS name, 'a:X05002' AS parent_id) FROM extract WHERE territory_id = 'c:028002'`);
		await e.query(`INSERT INTO extract SELECT * REPLACE ('a:X05002' AS territory_id, 'Altro Ambito' AS name) FROM extract WHERE territory_id = 'a:X05001'`);
	});
});
afterAll(() => engine?.close());

async function answer(o: ComparisonOptions): Promise<RowsAnswer> {
	const q = comparisonQuery(o);
	const rows = await engine.query(q.sql, q.params);
	const row = (r: (typeof rows)[number]): ComparisonRow => ({ id: String(r.id), name: String(r.name), residenti: r.residenti as number | null, value: r.value as number | null, rate: r.rate as number | null, state: r.state as ComparisonRow['state'] });
	const scope = rows.find((r) => r.is_scope);
	return { rows: rows.filter((r) => !r.is_scope).map(row), scope: scope ? row(scope) : null };
}

describe('an ATS from its Regione\'s answers', () => {
	test('equals the ATS\'s own comparison, for every month, measure and indicator', async () => {
		const parents = new Map((await engine.query(comuneAtsQuery('r:05').sql, comuneAtsQuery('r:05').params)).map((r) => [String(r.id), r.parent_id as string | null]));
		expect(parents.get('c:028004')).toBe('a:X05002');
		let compared = 0;
		for (const month of ['2023-11', '2024-01'])
			for (const measure of MEASURE_CHOICES)
				for (const indicator of INDICATORS) {
					const base = { month, measure, indicator };
					const want = await answer({ ...base, t: 'a:X05001', level: 'comune' });
					const got = insideAts('a:X05001', await answer({ ...base, t: 'r:05', level: 'comune' }), await answer({ ...base, t: 'r:05', level: 'ats' }), parents);
					const where = `${month} ${measure} ${indicator.key}`;
					if (!want.scope) {
						expect(got, where).toBeNull();
						continue;
					}
					expect(got!.scope, where).toEqual(want.scope);
					expect(got!.rows.map((r) => r.id).sort(), where).toEqual(want.rows.map((r) => r.id).sort());
					for (const r of want.rows) expect(got!.rows.find((x) => x.id === r.id), where).toEqual(r);
					compared += want.rows.length;
				}
		expect(compared).toBeGreaterThan(100);
	});
});
