import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { COMPARISON_SCOPES } from '#lib/data/test-fixture.ts';
import { INDICATORS, MEASURE_CHOICES } from './indicators.ts';
import { monthAnswersQuery, pickAnswer, readMonthAnswers } from './month-answers.ts';
import { CELL_STATES, comparisonQuery, monthListsQuery, monthSliceQuery } from './queries.ts';
import { confrontoTestEngine, type TestEngine } from './test-engine.ts';

let engine: TestEngine;

beforeAll(async () => {
	// Over 60 does not apply to RdC (NULL, not listed): "assente" must come out of the pick too.
	engine = await confrontoTestEngine((e) => e.query(`UPDATE extract SET nuclei_over60 = NULL WHERE measure = 'RdC'`).then(() => undefined));
});
afterAll(() => engine?.close());

const num = (v: number) => (Number.isNaN(v) ? null : v);
const STATES = CELL_STATES;

describe('the month answers', () => {
	test('every indicator and measure picked from them equals its own comparison query', async () => {
		const cases = COMPARISON_SCOPES;
		let compared = 0;
		for (const month of ['2023-11', '2024-01']) {
			for (const q of [monthSliceQuery(month), monthListsQuery(month)]) await engine.query(q.sql, q.params);
			for (const c of cases) {
				const built = monthAnswersQuery({ ...c, month }, { categories: true });
				const answers = readMonthAnswers(await engine.queryColumns(built.sql, built.params), { categories: true });
				const coreBuilt = monthAnswersQuery({ ...c, month }, { categories: false });
				const core = readMonthAnswers(await engine.queryColumns(coreBuilt.sql, coreBuilt.params), { categories: false });
				for (const measure of MEASURE_CHOICES)
					for (const indicator of INDICATORS) {
						const o = { ...c, month, measure, indicator };
						const want = await engine.query(comparisonQuery(o).sql, comparisonQuery(o).params);
						const got = pickAnswer(answers, measure, indicator)!;
						// The core answers hold the same rows for the core indicators, and no category.
						const fromCore = pickAnswer(core, measure, indicator);
						if (indicator.core) expect(fromCore).toEqual(got);
						else expect(fromCore).toBeNull();
						const where = `${month} ${c.t} ${c.level} ${measure} ${indicator.key}`;
						expect(got.ids, where).toEqual(want.map((r) => r.id));
						want.forEach((r, j) => {
							expect(got.names[j], where).toBe(r.name);
							expect(num(got.residenti[j]), where).toBe(r.residenti);
							expect(num(got.value[j]), where).toBe(r.value);
							if (r.rate === null) expect(num(got.rate[j]), where).toBeNull();
							else expect(got.rate[j], where).toBeCloseTo(r.rate as number, 9);
							expect(STATES[got.state[j]], where).toBe(r.state);
						});
						compared += want.length;
					}
			}
		}
		// Suppressed cells, "assente" cells and published ones all occurred.
		expect(compared).toBeGreaterThan(500);
	});
});
