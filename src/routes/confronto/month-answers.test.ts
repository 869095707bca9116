import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { COMPARISON_SCOPES } from '#lib/data/test-fixture.ts';
import { INDICATORS, MEASURE_CHOICES, type Indicator } from './indicators.ts';
import { monthAnswersQuery, monthParts, pickAnswer, readMonthAnswers, readTerritoryKeys } from './month-answers.ts';
import { CELL_STATES, comparisonQuery, monthListsQuery, monthSliceQuery, territoryKeysQuery } from './queries.ts';
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
	test('are built in parts that hold every indicator once: the core ones first, then the categories in list order', () => {
		const parts = monthParts();
		expect(parts[0].every((i) => i.core)).toBe(true);
		expect(parts.slice(1).every((p) => p.every((i) => !i.core))).toBe(true);
		expect(parts.flat().map((i) => i.key)).toEqual(INDICATORS.map((i) => i.key));
	});

	test('every indicator and measure picked from them equals its own comparison query', async () => {
		const cases = COMPARISON_SCOPES;
		let compared = 0;
		const keys = readTerritoryKeys(await engine.queryColumns(territoryKeysQuery().sql));
		const read = async (key: Parameters<typeof monthAnswersQuery>[0], indicators: readonly Indicator[]) => {
			const built = monthAnswersQuery(key, indicators);
			return readMonthAnswers(await engine.queryColumns(built.sql, built.params), indicators, keys);
		};
		for (const month of ['2023-11', '2024-01']) {
			for (const q of [monthSliceQuery(month), monthListsQuery(month)]) await engine.query(q.sql, q.params);
			for (const c of cases) {
				// Parts of three sizes: one indicator each, four at a time, and every indicator in one query.
				const [single, parts, whole] = [await Promise.all(INDICATORS.map((i) => read({ ...c, month }, [i]))), await Promise.all(monthParts(4).map((p) => read({ ...c, month }, p))), await read({ ...c, month }, INDICATORS)];
				for (const measure of MEASURE_CHOICES)
					for (const indicator of INDICATORS) {
						const o = { ...c, month, measure, indicator };
						const want = await engine.query(comparisonQuery(o).sql, comparisonQuery(o).params);
						const got = pickAnswer(whole, measure, indicator)!;
						// Each part holds its own indicators only, with the same rows as one query of all.
						const picks = parts.map((a) => pickAnswer(a, measure, indicator));
						expect(picks.filter((x) => x !== null)).toEqual([got]);
						expect(single.map((a) => pickAnswer(a, measure, indicator)).filter((x) => x !== null)).toEqual([got]);
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
