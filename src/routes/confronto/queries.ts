/**
 * The query builders of Confronto. One query answers each interaction: the comparison rows
 * of every territory of a level inside the territory in view (plus the territory itself, as
 * the reference), aggregated in SQL over the chosen measures. A cell is suppressed when any
 * part of its sum is suppressed: a partial sum would be a wrong number, and the browser
 * never rebuilds what the pipeline withheld.
 */
import { levelOf, type TerritoryId, type TerritoryLevel } from '#contracts';
import { identifier, type Param } from '#lib/data/query.ts';
import { measuresOf, type Indicator, type MeasureChoice } from './indicators.ts';

export interface Built {
	sql: string;
	params: Param[];
}

/** A cell's state: a published value, a suppressed one ("< 3"/"n.d."), or no row at all ("—"). */
export type CellState = 'ok' | 'riservato' | 'assente';

/** The value and suppression expressions of an indicator over the rows of a group. */
function aggregate(ind: Indicator): { value: string; suppressed: string; params: Param[] } {
	const col = identifier(ind.key);
	if (ind.kind === 'mean') {
		// Weighted by households, so the mean of RdC + PdC is the mean over all their households.
		return {
			value: `sum(${col} * nuclei) / nullif(sum(nuclei), 0)`,
			suppressed: `coalesce(bool_or(${col} IS NULL OR nuclei IS NULL), false)`,
			params: []
		};
	}
	if (ind.core) return { value: `sum(${col})`, suppressed: `coalesce(bool_or(${col} IS NULL), false)`, params: [] };
	// A category may be NULL because it does not apply to the measure (over 60 is ADI's, over 65 RdC's):
	// only a NULL the pipeline lists as suppressed is one.
	return {
		value: `sum(${col})`,
		suppressed: `coalesce(bool_or(${col} IS NULL AND (list_contains(soppressi_primari, ?) OR list_contains(soppressi_secondari, ?))), false)`,
		params: [ind.key, ind.key]
	};
}

/** The SQL condition selecting the territories of `level` inside `t`. */
function membersOf(t: TerritoryId, level: TerritoryLevel): Built {
	if (levelOf(t) === 'regione' && level === 'comune') {
		return {
			sql: `(level = 'comune' AND parent_id IN (SELECT DISTINCT territory_id FROM extract WHERE level = 'ats' AND parent_id = ?))`,
			params: [t]
		};
	}
	return { sql: `(level = ? AND parent_id = ?)`, params: [level, t] };
}

function measureList(choice: MeasureChoice): Built {
	const ms = measuresOf(choice);
	return { sql: `measure IN (${ms.map(() => '?').join(', ')})`, params: [...ms] };
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
 * Rows `{id, name, parent_id, residenti, is_scope, value, rate, state}`: every territory of
 * `level` inside `t` with a row in the month, and `t` itself (`is_scope`). `rate` is per
 * 1,000 residents (null for a mean).
 */
export function comparisonQuery(o: ComparisonOptions): Built {
	const agg = aggregate(o.indicator);
	const members = membersOf(o.t, o.level);
	const measures = measureList(o.measure);
	const rate = o.indicator.kind === 'count' ? `value * 1000.0 / nullif(residenti, 0)` : `NULL::DOUBLE`;
	const sql = `WITH g AS (
	SELECT territory_id, any_value(name) AS name, any_value(parent_id) AS parent_id, any_value(residenti) AS residenti,
		${agg.value} AS value, ${agg.suppressed} AS suppressed
	FROM extract
	WHERE month = ?::DATE AND ${measures.sql} AND (territory_id = ? OR ${members.sql})
	GROUP BY territory_id
)
SELECT territory_id AS id, name, parent_id, residenti, territory_id = ? AS is_scope,
	CASE WHEN suppressed THEN NULL ELSE value END::DOUBLE AS value,
	CASE WHEN suppressed THEN NULL ELSE ${rate} END::DOUBLE AS rate,
	CASE WHEN suppressed THEN 'riservato' WHEN value IS NULL THEN 'assente' ELSE 'ok' END AS state
FROM g ORDER BY is_scope DESC, name`;
	return { sql, params: [...agg.params, `${o.month}-01`, ...measures.params, o.t, ...members.params, o.t] };
}

/** Options of the series query: the territories whose monthly series are drawn. */
export interface SeriesOptions {
	ids: readonly TerritoryId[];
	measure: MeasureChoice;
	indicator: Indicator;
}

/** Rows `{id, month ('YYYY-MM'), value, rate, state}` for every month of every id, ordered by id and month. */
export function seriesQuery(o: SeriesOptions): Built {
	const agg = aggregate(o.indicator);
	const measures = measureList(o.measure);
	const rate = o.indicator.kind === 'count' ? `value * 1000.0 / nullif(residenti, 0)` : `NULL::DOUBLE`;
	const sql = `WITH g AS (
	SELECT territory_id, month, any_value(residenti) AS residenti, ${agg.value} AS value, ${agg.suppressed} AS suppressed
	FROM extract
	WHERE ${measures.sql} AND territory_id IN (SELECT unnest(string_split(?, ',')))
	GROUP BY territory_id, month
)
SELECT territory_id AS id, strftime(month, '%Y-%m') AS month,
	CASE WHEN suppressed THEN NULL ELSE value END::DOUBLE AS value,
	CASE WHEN suppressed THEN NULL ELSE ${rate} END::DOUBLE AS rate,
	CASE WHEN suppressed THEN 'riservato' WHEN value IS NULL THEN 'assente' ELSE 'ok' END AS state
FROM g ORDER BY id, month`;
	return { sql, params: [...agg.params, ...measures.params, o.ids.join(',')] };
}

/** Rows `{month ('YYYY-MM'), measures (list)}`: the months of `t` and the measures paid in each. */
export function monthsQuery(t: TerritoryId): Built {
	return {
		sql: `SELECT strftime(month, '%Y-%m') AS month, list(DISTINCT measure ORDER BY measure) AS measures
FROM extract WHERE territory_id = ? GROUP BY month ORDER BY month`,
		params: [t]
	};
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
		sql: `SELECT DISTINCT c.territory_id AS id, c.parent_id FROM extract c
WHERE c.level = 'comune' AND c.parent_id IN (SELECT DISTINCT territory_id FROM extract WHERE level = 'ats' AND parent_id = ?)`,
		params: [regione]
	};
}
