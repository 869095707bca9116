/**
 * The scan's fast fault test (numeric rules per row, categories, referral and recipients per
 * group) must flag exactly the rows the rules flag one by one: otherwise a bad row would be
 * published, or a good build would stop with "counted but not found again".
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { syntheticAtsMap } from './ats-map.ts';
import { scanMicrodata } from './aggregate.ts';
import { openDb, type Db } from './db.ts';
import { InputError } from './problems.ts';
import { loadTerritories } from './territories.ts';
import { tinyRegistry } from './test-support.ts';
import { anyRuleSql, rowFaultSql, validateMicrodata } from './validate.ts';

let db: Db;
beforeAll(async () => {
	db = await openDb({ threads: 1, memoryLimit: '256MB' });
	const registry = tinyRegistry();
	await loadTerritories(db, registry, syntheticAtsMap(registry));
});
afterAll(() => db.close());

// a valid household (ADI or SFL) with some fields replaced by edge or bad values
const int = fc.oneof(fc.constantFrom(null, -1, 0, 1, 2, 3, 5, 50, 51), fc.integer({ min: -3, max: 8 }));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
const edits = fc.record({
	month: maybe(fc.constantFrom('2023-12-01', '2024-05-01')),
	measure: maybe(fc.constantFrom('RdC', 'XYZ')),
	comune: maybe(fc.constant('099999')),
	household_id: maybe(fc.constant(null)),
	members: maybe(int),
	minors: maybe(int),
	disabled: maybe(int),
	over60: maybe(int),
	over65: maybe(int),
	citizenship: maybe(fc.constantFrom(null, 'UE', 'EXTRA_UE', 'it', '')),
	amount: maybe(fc.constantFrom(null, 0, -0.01, 100000, 100000.01, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY)),
	referral: maybe(fc.constantFrom(null, 'lavoro', 'esonerato', 'altro')),
	recipients: maybe(int)
});
const row = fc.tuple(fc.boolean(), edits).map(([sfl, e]) => {
	const base = { month: '2024-03-01', measure: sfl ? 'SFL' : 'ADI', comune: '001001', household_id: 1 as number | null, members: 3, minors: 1, disabled: 0, over60: 0, over65: 0, citizenship: 'IT' as string | null, amount: 412.5 as number | null, referral: (sfl ? null : 'inclusione') as string | null, recipients: (sfl ? 2 : null) as number | null };
	return Object.assign(base, Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)));
});

test('a group is flagged by the fast test exactly when one of its rows breaks a rule', async () => {
	const seen = new Set<boolean>();
	await fc.assert(
		fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 3 }), async (rows) => {
			const values = rows.map((_, i) => `(${i + 1}, ?::DATE, ?::VARCHAR, ?::VARCHAR, ?::BIGINT, ?::INTEGER, ?::INTEGER, ?::INTEGER, ?::INTEGER, ?::INTEGER, ?::VARCHAR, ?::DOUBLE, ?::VARCHAR, ?::INTEGER)`).join(', ');
			const params = rows.flatMap((r, i) => [r.month, r.measure, r.comune, r.household_id === null ? null : i + 1, r.members, r.minors, r.disabled, r.over60, r.over65, r.citizenship, r.amount, r.referral, r.recipients]);
			await db.run(
				`CREATE OR REPLACE TABLE md AS SELECT 'f.csv' AS file, * FROM (VALUES ${values}) t(row, month, measure, comune, household_id, members, minors, disabled, over60, over65, citizenship, amount, referral, recipients)`,
				params
			);
			const [{ bad }] = await db.all<{ bad: boolean }>(`SELECT bool_or(${anyRuleSql('2024-03')}) AS bad FROM md`);
			seen.add(bad);
			await scanMicrodata(db, rowFaultSql());
			// InputError when the fast test flags and the rules find the rows; a plain Error when it
			// flags and they find nothing; no error when it flags nothing (months apart: a gap, not a fault)
			const outcome = await validateMicrodata(db, '2024-03').then(
				() => 'valid',
				(e: unknown) => (e instanceof InputError ? (e.problems.every((p) => p.kind === 'missing month') ? 'valid' : 'invalid') : `error: ${(e as Error).message}`)
			);
			expect(outcome, JSON.stringify(rows)).toBe(bad ? 'invalid' : 'valid');
		}),
		{ numRuns: 150, seed: 2 }
	);
	expect([...seen].sort()).toEqual([false, true]);
}, 120_000);

test('the fast test flags a NaN amount and a missing household id', async () => {
	await db.run(`CREATE OR REPLACE TABLE t AS SELECT * FROM (VALUES (2, 0, 0, 0, 0, 'nan'::DOUBLE, 1::BIGINT, NULL::INTEGER), (2, 0, 0, 0, 0, 10.0, NULL, NULL)) v(members, minors, disabled, over60, over65, amount, household_id, recipients)`);
	const flags = await db.all<{ f: boolean }>(`SELECT (${rowFaultSql()}) AS f FROM t`);
	expect(flags.map((r) => r.f)).toEqual([true, true]);
});
