/**
 * Disclosure control on `cells` (DESIGN.md; SISTAN rule, threshold 3), in SQL.
 *
 * Cells are (row, column) for the 16 count columns of SUPPRESSION_COLUMNS; `persone`, the
 * amounts and the rate follow `nuclei`, and `nuclei_monocomponente` follows `nuclei_1`
 * (same value). Masks `pm` (primary) and `sm` (secondary) hold one bit per column.
 *
 * Primary: a count of 1 or 2, and the whole row when nuclei is 1 or 2.
 * Secondary, repeated until nothing changes: every additive equation — a row's nuclei and
 * each partition of it (size, citizenship, referral), and every parent and its children
 * (Comuni→ATS, Comuni→Provincia, ATS→Provincia when the ATS lies in one Provincia,
 * ATS→Regione, Province→Regione, Regioni→Italia) per
 * column — must hide 0 or at least 2 of its terms, so no single subtraction reveals a
 * suppressed cell. The partner is the smallest positive published term (then a zero term,
 * then the parent), ties broken by territory id, so the result is deterministic.
 */
import { CATEGORY_COLUMNS, CATEGORY_PARTITIONS, SUPPRESSION_THRESHOLD } from '../contracts/extract.ts';
import type { Db } from './db.ts';

/** The columns with their own suppression bit (bit = index). */
// nuclei_monocomponente equals nuclei_1 and shares its bit (TIED_COLUMNS); the order of the
// bits follows the contract's column order.
export const SUPPRESSION_COLUMNS = ['nuclei', ...CATEGORY_COLUMNS.filter((c) => c !== 'nuclei_monocomponente')] as const;

/** Extract columns that share a bit with another column. */
export const TIED_COLUMNS: Record<string, string[]> = {
	nuclei: ['nuclei', 'persone', 'importo_medio', 'importo_totale', 'nuclei_per_1000'],
	nuclei_1: ['nuclei_1', 'nuclei_monocomponente']
};

const bit = (name: string) => SUPPRESSION_COLUMNS.indexOf(name as (typeof SUPPRESSION_COLUMNS)[number]);
const has = (mask: string, k: number) => `((${mask} >> ${k}) & 1 = 1)`;
const BIG = 2147483647;

const BITS = SUPPRESSION_COLUMNS.map((_, k) => k);
const TID = 16777216; // 2^24: territory ids fit below; keys are tid * 65536 + (month, measure)
const LOW = 65536;

/** The narrow working table `sc`: integer keys, the 16 values and the masks. */
async function primary(db: Db): Promise<void> {
	const t = SUPPRESSION_THRESHOLD - 1;
	const small = SUPPRESSION_COLUMNS.map((c, k) => `(coalesce(${c} BETWEEN 1 AND ${t}, false)::INTEGER << ${k})`).join(' | ');
	const all = SUPPRESSION_COLUMNS.map((c, k) => `((${c} IS NOT NULL)::INTEGER << ${k})`).join(' | ');
	await db.run(
		`CREATE OR REPLACE TABLE sc AS
		SELECT key, tid, low, level, measure, ptid, provtid,
			${SUPPRESSION_COLUMNS.map((col, k) => `${col} AS v${k}`).join(', ')},
			CASE WHEN nuclei BETWEEN 1 AND ${t} THEN ${all} ELSE ${small} END AS pm, 0 AS sm,
			CASE WHEN pm <> 0 THEN 0 ELSE -1 END AS gen
		FROM cells`
	);
	if (Math.max(0, ...(await db.all<{ n: number }>(`SELECT max(low) AS n FROM sc`)).map((r) => r.n)) >= LOW) throw new Error('Too many month × measure combinations');
}

/** Row partitions: a group hiding exactly one of its terms (nuclei included) hides one more. */
function rowFixSql(): string {
	return CATEGORY_PARTITIONS.map((group) => {
		const bits = group.map(bit);
		const mask = bits.reduce((m, k) => m | (1 << k), 1);
		const keys = bits.map((k) => `CASE WHEN NOT ${has('(pm | sm)', k)} AND v${k} IS NOT NULL THEN (CASE WHEN v${k} > 0 THEN v${k} ELSE ${BIG} END) END`).join(', ');
		return `CASE WHEN measure <> 'SFL' AND bit_count((pm | sm) & ${mask}) = 1
			THEN 1 << list_extract([${bits.join(', ')}], list_position([${keys}], list_min([${keys}]))) ELSE 0 END`;
	}).join(' | ');
}

/** One pass over every equation; rewrites `sc` and returns the number of rows that changed. */
async function pass(db: Db, p: number): Promise<number> {
	const vals = BITS.map((k) => `v${k}`).join(', ');
	await db.run(
		`CREATE OR REPLACE TEMP TABLE eq AS
		WITH groups AS (
			-- only equations with a member whose mask changed in the last pass (or, first, any suppression)
			SELECT DISTINCT par, low FROM (
				SELECT ptid AS par, low FROM sc WHERE gen = ${p - 1} AND ptid IS NOT NULL
				UNION ALL SELECT provtid, low FROM sc WHERE gen = ${p - 1} AND provtid IS NOT NULL
				UNION ALL SELECT tid, low FROM sc WHERE gen = ${p - 1})
		), ch AS (
			SELECT ptid AS par, level AS rel, low, (pm | sm) AS m, tid, ${vals} FROM sc SEMI JOIN groups g ON g.par = sc.ptid AND g.low = sc.low
			UNION ALL SELECT provtid, level || '-provincia', low, (pm | sm), tid, ${vals} FROM sc SEMI JOIN groups g ON g.par = sc.provtid AND g.low = sc.low
		)
		SELECT par, low, ${BITS.map((k) => `sum((m >> ${k}) & 1)::INTEGER AS s${k}`).join(', ')},
			${BITS.map((k) => `min(CASE WHEN (m >> ${k}) & 1 = 0 AND v${k} IS NOT NULL THEN (CASE WHEN v${k} > 0 THEN v${k} ELSE ${BIG} END)::BIGINT * ${TID} + tid END) AS e${k}`).join(', ')}
		FROM ch GROUP BY par, low, rel`
	);
	// Exactly one hidden term: hide the smallest published child; with no other child, the parent.
	// One join with the parents, then one (key, bit) per unbalanced column (was: one join per column).
	const targets = BITS.map(
		(k) => `CASE WHEN s${k} + ((pp >> ${k}) & 1) = 1 AND (s${k} = 1 OR e${k} IS NOT NULL)
			THEN {'key': (CASE WHEN e${k} IS NULL THEN par ELSE e${k} % ${TID} END)::BIGINT * ${LOW} + low, 'b': ${1 << k}} END`
	).join(',\n\t\t\t');
	await db.run(
		`CREATE OR REPLACE TEMP TABLE fix AS
		SELECT key, bit_or(b)::INTEGER AS b FROM (
			SELECT unnest(list_filter([${targets}], x -> x IS NOT NULL), recursive := true)
			FROM (SELECT eq.*, (p.pm | p.sm) AS pp FROM eq JOIN sc p ON p.key = eq.par::BIGINT * ${LOW} + eq.low))
		GROUP BY key`
	);
	// Only rows changed in the last pass can have an unbalanced row equation.
	await db.run(`UPDATE sc SET sm = sm | (${rowFixSql()}), gen = ${p} WHERE gen = ${p - 1} AND (${rowFixSql()}) <> 0`);
	await db.run(`UPDATE sc SET sm = sc.sm | fix.b, gen = ${p} FROM fix WHERE sc.key = fix.key AND (sc.pm | sc.sm) & fix.b <> fix.b`);
	const [{ n }] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM sc WHERE gen = ${p}`);
	return Number(n);
}

export interface SuppressionStats {
	primaryCells: number;
	secondaryCells: number;
	passes: number;
}

/** Adds `pm`/`sm` to `cells`; returns counts of suppressed cells (bits). */
export async function suppress(db: Db): Promise<SuppressionStats> {
	await primary(db);
	let passes = 0;
	for (;;) {
		passes++;
		const changed = await pass(db, passes);
		if (changed === 0) break;
		if (passes > 100) throw new Error('Secondary suppression did not converge in 100 passes');
	}
	const [s] = await db.all<{ p: bigint; s: bigint }>(`SELECT sum(bit_count(pm)) AS p, sum(bit_count(sm & ~pm)) AS s FROM sc`);
	return { primaryCells: Number(s!.p ?? 0), secondaryCells: Number(s!.s ?? 0), passes };
}
