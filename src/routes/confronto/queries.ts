/**
 * The query builders of Confronto. One query answers each interaction: the comparison rows
 * of every territory of a level inside the territory in view (plus the territory itself, as
 * the reference), aggregated in SQL over the chosen measures. A cell is suppressed when any
 * part of its sum is suppressed: a partial sum would be a wrong number, and the browser
 * never rebuilds what the pipeline withheld.
 */
import { CATEGORY_COLUMNS, MEASURES, levelOf, type TerritoryId, type TerritoryLevel } from '#contracts';
import { identifier, type Columns, type Param } from '#lib/data/query.ts';
import { measuresOf, type Indicator, type MeasureChoice } from './indicators.ts';

export interface Built {
	sql: string;
	params: Param[];
}

/**
 * A cell's state: a published value; one suppressed as under 3 households (`riservato`: "< 3"
 * for a count, "n.d." otherwise); one not published for another reason (`non_pubblicato`,
 * "n.d.": a sum with a suppressed part, or a category hidden only so that another cell cannot
 * be recovered by subtraction); or no row at all (`assente`, "—").
 */
export type CellState = 'ok' | 'riservato' | 'assente' | 'non_pubblicato';
/** `CellState` by the numeric code the queries return (no string to decode). */
export const CELL_STATES: readonly CellState[] = ['ok', 'riservato', 'assente', 'non_pubblicato'];

/**
 * A row's `nuclei` is a primary suppression (fewer than 3 households; `persone`, the mean and
 * the rate are suppressed with it): the column `nuclei_primario` of every source `aggregate`
 * reads (the month slice holds it, the other queries compute it from the lists).
 */
export const NUCLEI_PRIMARIO = `coalesce(list_contains(soppressi_primari, 'nuclei'), false) AS nuclei_primario`;

/**
 * The value and suppression expressions of an indicator over the rows of a group, and
 * `under3`: whether a suppressed cell may be read as "fewer than 3 households" — one row (a sum
 * of several, e.g. RdC + PdC, is not) that the pipeline lists as a primary suppression (a core
 * count: `nuclei_primario`; a category: its lists). `params` are those of `suppressed`, then
 * those of `under3`.
 */
export function aggregate(ind: Indicator): { value: string; suppressed: string; under3: string; params: Param[] } {
	const col = identifier(ind.key);
	if (ind.kind === 'mean') {
		// Weighted by households, so the mean of RdC + PdC is the mean over all their households.
		return {
			value: `sum(${col} * nuclei) / nullif(sum(nuclei), 0)`,
			suppressed: `coalesce(bool_or(${col} IS NULL OR nuclei IS NULL), false)`,
			under3: `count(*) = 1`,
			params: []
		};
	}
	if (ind.core) return { value: `sum(${col})`, suppressed: `coalesce(bool_or(${col} IS NULL), false)`, under3: `count(*) = 1 AND bool_and(nuclei_primario)`, params: [] };
	// A category may be NULL because it does not apply to the measure (over 60 is ADI's, over 65 RdC's):
	// only a NULL the pipeline lists as suppressed is one.
	return {
		value: `sum(${col})`,
		suppressed: `coalesce(bool_or(${col} IS NULL AND (list_contains(soppressi_primari, ?) OR list_contains(soppressi_secondari, ?))), false)`,
		under3: `count(*) = 1 AND coalesce(bool_and(list_contains(soppressi_primari, ?)), false)`,
		params: [ind.key, ind.key, ind.key]
	};
}

/** SQL of the state's name from its code (a CASE: DuckDB-WASM 1.28's parser rejects indexing a list literal). */
function stateName(code: string): string {
	return `CASE ${code} ${CELL_STATES.map((x, k) => `WHEN ${k} THEN '${x}'`).join(' ')} END`;
}

/** SQL of a cell's state code (CELL_STATES) from a group's `suppressed`, `under3` and `value`. */
export function stateCode(suppressed: string, under3: string, value: string): string {
	return `CASE WHEN ${suppressed} AND ${under3} THEN 1 WHEN ${suppressed} THEN 3 WHEN ${value} IS NULL THEN 2 ELSE 0 END`;
}

/**
 * Rebuilds `confronto_territori` (one row per loaded territory, with its Regione): run once
 * after the extracts of a scope are loaded. Membership then comes from this small table
 * instead of a subquery over every row of `extract` (which cost ~5× the whole query on
 * DuckDB-WASM 1.28). The pipeline writes a row for every territory in every month, so the
 * last month holds every territory.
 */
export function territoryIndexQuery(): Built {
	return {
		sql: `CREATE OR REPLACE TABLE confronto_territori AS
WITH t AS (SELECT DISTINCT territory_id AS id, level, name, parent_id, residenti FROM extract WHERE month = (SELECT max(month) FROM extract))
SELECT t.id, t.level, t.name, t.parent_id, t.residenti,
	CASE t.level WHEN 'regione' THEN t.id WHEN 'ats' THEN t.parent_id WHEN 'comune' THEN p.parent_id END AS regione_id
FROM t LEFT JOIN t AS p ON p.id = t.parent_id`,
		params: []
	};
}

/**
 * The name of a month's slice table (`valori`) or of its suppression lists (`liste`); `month`
 * (`YYYY-MM`) is checked because it becomes part of an identifier.
 */
export function monthTable(month: string, kind: 'valori' | 'liste' = 'valori'): string {
	return identifier(`confronto_${kind}_${checkedMonth(month).replace('-', '_')}`);
}

function checkedMonth(month: string): string {
	if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new Error(`Not a month: ${JSON.stringify(month)}`);
	return month;
}

/** A month (`YYYY-MM`, checked) as a SQL date literal: spliced, so the zone maps of `extract` see a constant. */
function monthLiteral(month: string): string {
	return `DATE '${checkedMonth(month)}-01'`;
}

/**
 * Builds the month slice of Confronto: the extract's rows of one month (every territory and
 * measure), only the indicator columns and `nuclei_primario` (NUCLEI_PRIMARIO). The extract is
 * ordered by territory, so a month's 3,200 rows (Lombardia) are spread over all 300,000: each
 * comparison paid for a scattered read of the whole table. Built on the first comparison of a
 * month, the slice answers every later one (indicator, measure, level, drill-down) from 1 % of
 * the rows. The suppression lists themselves are not in it: they cost 5× the rest to read, and
 * only categories need them (`monthListsQuery`).
 */
export function monthSliceQuery(month: string): Built {
	const cols = ['territory_id', 'measure', 'nuclei', 'persone', 'importo_medio', ...CATEGORY_COLUMNS];
	return {
		sql: `CREATE OR REPLACE TEMP TABLE ${monthTable(month)} AS SELECT ${cols.map(identifier).join(', ')}, ${NUCLEI_PRIMARIO} FROM extract WHERE month = ?::DATE`,
		params: [`${month}-01`]
	};
}

/**
 * The suppression lists of a month's rows (a category's NULL is a suppression only when
 * listed, see `aggregate`), built on the first comparison of a category in the month.
 */
export function monthListsQuery(month: string): Built {
	return {
		// No filter on the lists' length: evaluating it read them for every row (332 ms against 130).
		sql: `CREATE OR REPLACE TEMP TABLE ${monthTable(month, 'liste')} AS
SELECT territory_id, measure, soppressi_primari, soppressi_secondari FROM extract WHERE month = ?::DATE`,
		params: [`${month}-01`]
	};
}

/** True when comparing `ind` needs the suppression lists (a category: NULL may mean "does not apply"). */
export function needsLists(ind: Indicator): boolean {
	return !ind.core;
}

/** The SQL selecting the ids of `t` and of the territories of `level` inside it, from `confronto_territori`. */
export function membersOf(t: TerritoryId, level: TerritoryLevel): Built {
	const inside = levelOf(t) === 'regione' ? 'regione_id = ?' : 'parent_id = ?';
	return { sql: `SELECT id FROM confronto_territori WHERE id = ? OR (level = ? AND ${inside})`, params: [t, level, t] };
}

function measureList(choice: MeasureChoice): Built {
	const ms = measuresOf(choice);
	return { sql: `measure IN (${ms.map(() => '?').join(', ')})`, params: [...ms] };
}

/** The month slice, with its lists joined when the indicator needs them (no lists row: nothing suppressed). */
function sliceSource(o: ComparisonOptions): string {
	const values = monthTable(o.month);
	return needsLists(o.indicator) ? `${values} LEFT JOIN ${monthTable(o.month, 'liste')} USING (territory_id, measure)` : values;
}

/** Options of the comparison query. `month` is `YYYY-MM`. */
export interface ComparisonOptions {
	t: TerritoryId;
	level: TerritoryLevel;
	month: string;
	measure: MeasureChoice;
	indicator: Indicator;
}

/**
 * Rows `{id, name, parent_id, residenti, is_scope, value, rate, state, state_code}` ordered by
 * id (the
 * table sorts): every territory of `level` inside `t` with a row in the month, and `t`
 * itself (`is_scope`). `rate` is per 1,000 residents (null for a mean); `state_code` is
 * `state` as a number (CELL_STATES: no string to decode). With `slice`, reads
 * the month slice built by `monthSliceQuery` (and `monthListsQuery` for a category) instead
 * of the whole extract (same rows).
 */
export function comparisonQuery(o: ComparisonOptions, opts: { slice?: boolean } = {}): Built {
	const agg = aggregate(o.indicator);
	const members = membersOf(o.t, o.level);
	const measures = measureList(o.measure);
	const rate = o.indicator.kind === 'count' ? `value * 1000.0 / nullif(residenti, 0)` : `NULL::DOUBLE`;
	// Names and residents come from the small index, not from any_value() over the rows:
	// string aggregates were the slowest part of this query on DuckDB-WASM 1.28.
	const sql = `WITH g AS (
	SELECT territory_id, ${agg.value} AS value, ${agg.suppressed} AS suppressed, ${agg.under3} AS under3
	FROM ${opts.slice ? sliceSource(o) : `(SELECT *, ${NUCLEI_PRIMARIO} FROM extract)`}
	WHERE ${opts.slice ? '' : 'month = ?::DATE AND '}${measures.sql} AND territory_id IN (${members.sql})
	GROUP BY territory_id
)
SELECT t.id, t.name, t.parent_id, t.residenti, t.id = ? AS is_scope,
	CASE WHEN suppressed THEN NULL ELSE value END::DOUBLE AS value,
	CASE WHEN suppressed THEN NULL ELSE ${rate.replace('residenti', 't.residenti')} END::DOUBLE AS rate,
	${stateName('state_code')} AS state, state_code
FROM (SELECT *, (${stateCode('suppressed', 'under3', 'value')})::INTEGER AS state_code FROM g) g JOIN confronto_territori t ON t.id = g.territory_id
ORDER BY t.id`;
	const month = opts.slice ? [] : [`${o.month}-01`];
	return { sql, params: [...agg.params, ...month, ...measures.params, ...members.params, o.t] };
}

/** Options of the series query: the territories whose monthly series are drawn. */
export interface SeriesOptions {
	ids: readonly TerritoryId[];
	measure: MeasureChoice;
	indicator: Indicator;
}

/**
 * The groups of the series, `(territory, month)` over the chosen measures: `g` (`territory_id`,
 * `month`, `value`, `suppressed`, `under3`) over the extract's rows that `where` keeps, and the
 * plotted value's expression. Shared by `seriesQuery` and `seriesChunkQuery`, so both give the
 * same numbers.
 */
function seriesGroups(o: Omit<SeriesOptions, 'ids'>, where: Built): { sql: string; params: Param[]; rate: string } {
	const agg = aggregate(o.indicator);
	const measures = measureList(o.measure);
	const rate = o.indicator.kind === 'count' ? `value * 1000.0 / nullif(residenti, 0)` : `NULL::DOUBLE`;
	const cols = [...new Set(['territory_id', 'month', 'measure', 'nuclei', identifier(o.indicator.key), 'soppressi_primari', 'soppressi_secondari', NUCLEI_PRIMARIO])].join(', ');
	const sql = `WITH x AS (
	SELECT ${cols} FROM extract WHERE ${where.sql}
),
g AS (
	SELECT territory_id, month, ${agg.value} AS value, ${agg.suppressed} AS suppressed, ${agg.under3} AS under3
	FROM x
	WHERE ${measures.sql}
	GROUP BY territory_id, month
)`;
	return { sql, params: [...where.params, ...agg.params, ...measures.params], rate: rate.replace('residenti', 't.residenti') };
}

/**
 * Rows `{id, month ('YYYY-MM'), value, rate, state}` for every month of every id, ordered by id
 * and month. One scan with an IN list: a Regione's extract is ordered by month (ATS files by
 * territory), so a `territory_id = ?` scan per id (what the zone maps favoured when every file
 * was territory-first) read the whole table once per id (2 ids, full-scale Lombardia,
 * DuckDB-WASM 1.28: 22.6 ms against 30.9, best of 15; 1 id: the same).
 */
export function seriesQuery(o: SeriesOptions): Built {
	const ids = [...new Set(o.ids)];
	const where = ids.length ? `territory_id IN (${ids.map(() => '?').join(', ')})` : 'false';
	const g = seriesGroups(o, { sql: where, params: ids });
	const sql = `${g.sql}
SELECT g.territory_id AS id, strftime(g.month, '%Y-%m') AS month,
	CASE WHEN suppressed THEN NULL ELSE value END::DOUBLE AS value,
	CASE WHEN suppressed THEN NULL ELSE ${g.rate} END::DOUBLE AS rate,
	${stateName(stateCode('suppressed', 'under3', 'value'))} AS state
FROM g JOIN confronto_territori t ON t.id = g.territory_id ORDER BY id, g.month`;
	return { sql, params: g.params };
}

/**
 * Rows `{k, m, p}`: `seriesQuery` of every territory at once, for the months from `from`
 * (inclusive) to `before` (exclusive), either end open when null: `k` is the territory's `rowid`
 * in `confronto_territori`, `m` the month as year × 12 + month − 1, `p` the plotted value (the rate of a
 * count, the value of a mean; NULL when suppressed), ordered by `k` and `m`. Numbers only, so a
 * few thousand rows decode in the page without a string per cell. The extract is ordered by
 * month, so a range of months reads only its rows (the dates are spliced as checked literals,
 * so the zone maps see constants).
 */
export function seriesChunkQuery(o: Omit<SeriesOptions, 'ids'> & { from: string | null; before: string | null }): Built {
	const bounds = [o.from && `month >= ${monthLiteral(o.from)}`, o.before && `month < ${monthLiteral(o.before)}`].filter(Boolean);
	const g = seriesGroups(o, { sql: bounds.join(' AND ') || 'true', params: [] });
	const plotted = o.indicator.kind === 'count' ? g.rate : 'value';
	const sql = `${g.sql}
SELECT t.rowid AS k, (year(g.month) * 12 + month(g.month) - 1)::INTEGER AS m,
	CASE WHEN suppressed THEN NULL ELSE ${plotted} END::DOUBLE AS p
FROM g JOIN confronto_territori t ON t.id = g.territory_id ORDER BY k, m`;
	return { sql, params: g.params };
}

/** Rows `{k, id, name}`: the `rowid` of each territory of `confronto_territori` (the `k` of `seriesChunkQuery` and `monthAnswersQuery`). */
export function territoryKeysQuery(): Built {
	return { sql: `SELECT rowid AS k, id, name FROM confronto_territori`, params: [] };
}

/** Rows `{month ('YYYY-MM'), measures (list)}`: the months of `t` and the measures paid in each. */
export function monthsQuery(t: TerritoryId): Built {
	return {
		sql: `SELECT strftime(month, '%Y-%m') AS month, list(DISTINCT measure ORDER BY measure) AS measures
FROM extract WHERE territory_id = ? GROUP BY month ORDER BY month`,
		params: [t]
	};
}

/** The measures in the order `ORDER BY measure` gives them (bytewise): bit k of a `levelMonthsQuery` mask is the k-th. */
const MEASURE_BITS = [...MEASURES].sort();
/** A `levelMonthsQuery` mask bit for a measure outside MEASURES. */
const OTHER_MEASURE = 1 << MEASURE_BITS.length;

/**
 * Rows `{id, m, mask}`: `monthsQuery` of every territory above Comune level at once (a Regione's
 * table holds about a hundred), in territory and month order, as numbers (`readLevelMonths`):
 * `m` = year × 12 + month − 1, `mask` the measures paid (bit k: `MEASURE_BITS[k]`). A list per
 * row cost the worker twice as much, and the page 70–400 ms to decode (9,000 rows, Lombardia).
 */
export function levelMonthsQuery(): Built {
	return {
		sql: `SELECT territory_id AS id, (year(month) * 12 + month(month) - 1)::INTEGER AS m,
	bit_or(CASE measure ${MEASURE_BITS.map((_, k) => `WHEN ? THEN ${1 << k}`).join(' ')} ELSE ${OTHER_MEASURE} END)::INTEGER AS mask
FROM extract WHERE level IN ('italia', 'regione', 'ats') GROUP BY territory_id, month ORDER BY id, m`,
		params: [...MEASURE_BITS]
	};
}

/**
 * The months of each territory in `levelMonthsQuery`'s answer, as `monthsQuery` gives them. A
 * territory with a measure outside MEASURES is left out: its own `monthsQuery` answers it.
 */
export function readLevelMonths(cols: Columns): Map<TerritoryId, { month: string; measures: string[] }[]> {
	const [ids, m, mask] = [cols.values('id'), cols.numbers('m'), cols.numbers('mask')];
	const by = new Map<TerritoryId, { month: string; measures: string[] }[]>();
	const odd = new Set<TerritoryId>();
	// A hundred territories share ~100 months and a few measure sets: each made once.
	const months = new Map<number, string>();
	const sets = new Map<number, string[]>();
	for (let i = 0; i < ids.length; i++) {
		const id = String(ids[i]) as TerritoryId;
		if (mask[i] & OTHER_MEASURE) odd.add(id);
		let list = by.get(id);
		if (!list) by.set(id, (list = []));
		let month = months.get(m[i]);
		if (month === undefined) months.set(m[i], (month = `${Math.floor(m[i] / 12)}-${String((m[i] % 12) + 1).padStart(2, '0')}`));
		let measures = sets.get(mask[i]);
		if (!measures) sets.set(mask[i], (measures = MEASURE_BITS.filter((_, k) => mask[i] & (1 << k))));
		list.push({ month, measures });
	}
	for (const id of odd) by.delete(id);
	return by;
}

/** Rows `{id, name, level, parent_id}` of the territories above Comune level, and of `t` (for the breadcrumb). */
export function territoriesQuery(t: TerritoryId): Built {
	return {
		sql: `SELECT territory_id AS id, any_value(name) AS name, any_value(level) AS level, any_value(parent_id) AS parent_id
FROM extract WHERE level IN ('italia', 'regione', 'ats') OR territory_id = ? GROUP BY territory_id`,
		params: [t]
	};
}

/** Rows `{id, parent_id}`: the ATS of each Comune inside a Regione (to merge Comuni into ATS areas on the map). */
export function comuneAtsQuery(regione: TerritoryId): Built {
	return {
		sql: `SELECT id, parent_id FROM confronto_territori WHERE level = 'comune' AND regione_id = ?`,
		params: [regione]
	};
}
