/**
 * The query builders of the territory views (Il mio territorio, Andamento, Caratteristiche).
 * Each returns `{sql, params}` for `query()`; values go as parameters, never into the SQL.
 */
import { CATEGORY_COLUMNS, type CategoryColumn, type TerritoryId, type TerritoryLevel } from '#contracts';
import { identifier, type Param, type Row } from './engine.ts';
import type { SummaryPoint, SummaryTerritory } from './series.ts';
import type { MeasureChoice } from './indicators.ts';

export interface Built {
	sql: string;
	params: Param[];
}

/** `territory_id IN (?, ?, …)`: one placeholder per id (an IN list prunes far faster than list_contains on DuckDB 0.9). */
const inIds = (ids: readonly TerritoryId[]) => `territory_id IN (${ids.map(() => '?').join(', ') || 'NULL'})`;

/**
 * The monthly series of `ids`, one row per territory, month and measure; `secondario`: the
 * row's `nuclei` (and the columns hidden with it) is null by secondary suppression, as the
 * summaries' `secondari` say.
 */
export function seriesQuery(ids: readonly TerritoryId[]): Built {
	return {
		sql: `SELECT territory_id, name, level, residenti, strftime(month, '%Y-%m') AS month, measure,
				nuclei, persone, importo_medio, nuclei_per_1000,
				nuclei IS NULL AND coalesce(list_contains(soppressi_secondari, 'nuclei'), false) AS secondario
			FROM extract WHERE ${inIds(ids)}
			ORDER BY territory_id, month, measure`,
		params: [...ids]
	};
}

/** Rows of `seriesQuery` → one `SummaryTerritory` per id, in the order of `ids` (missing ids dropped). */
export function toTerritories(ids: readonly TerritoryId[], rows: Row[]): SummaryTerritory[] {
	const by = new Map<string, SummaryTerritory>();
	for (const r of rows) {
		const id = String(r.territory_id);
		let t = by.get(id);
		if (!t) {
			t = { id, name: String(r.name), level: r.level as TerritoryLevel, residenti: Number(r.residenti), series: [] };
			by.set(id, t);
		}
		const p: SummaryPoint = {
			month: String(r.month),
			measure: r.measure as SummaryPoint['measure'],
			nuclei: r.nuclei as number | null,
			persone: r.persone as number | null,
			importo_medio: r.importo_medio as number | null,
			nuclei_per_1000: r.nuclei_per_1000 as number | null
		};
		if (r.secondario === true) p.secondario = true;
		t.series.push(p);
	}
	return ids.flatMap((id) => by.get(id) ?? []);
}

/** Every territory loaded: id, level, name, parent (for names, benchmarks and the breadcrumb). */
export function territoriesQuery(): Built {
	return { sql: `SELECT DISTINCT territory_id AS id, level, name, parent_id FROM extract ORDER BY id`, params: [] };
}

/** Household measures of the choice in `month` (`totale`: RdC+PdC before 2024, ADI from 2024). */
function choiceCondition(choice: MeasureChoice): Built {
	if (choice === 'totale') return { sql: `measure IN ('RdC', 'PdC', 'ADI')`, params: [] };
	return { sql: `measure = ?`, params: [choice] };
}

/**
 * The household characteristics of `ids` for the choice, every month at once (so changing the
 * month is answered without a query): `nuclei` and each category summed over the measures,
 * with `<col>_soppresso` true when a part was suppressed. A category that does not apply to a
 * measure (over 60 is ADI's, over 65 RdC's) is NULL without being listed as suppressed: that is
 * "not applicable", and it yields NULL with `_soppresso` false.
 */
export function categoriesQuery(ids: readonly TerritoryId[], choice: MeasureChoice): Built {
	const cond = choiceCondition(choice);
	const cols = ['nuclei', ...CATEGORY_COLUMNS].map((c) => identifier(c));
	const parts = cols.map(
		(c) => `CASE WHEN bool_and(${c} IS NOT NULL) THEN sum(${c}) END::DOUBLE AS ${c},
			coalesce(bool_or(${c} IS NULL AND (list_contains(soppressi_primari, ?) OR list_contains(soppressi_secondari, ?))), false) AS ${c}_soppresso,
			count(*) = 1 AND coalesce(bool_and(list_contains(soppressi_primari, ?)), false) AS ${c}_meno_di_3`
	);
	return {
		sql: `SELECT territory_id, strftime(month, '%Y-%m') AS month, ${parts.join(',\n')}
			FROM extract WHERE ${inIds(ids)} AND ${cond.sql}
			GROUP BY territory_id, month`,
		params: [...cols.flatMap((c) => [c, c, c]), ...ids, ...cond.params]
	};
}

/** One category of one territory: its count and share of `nuclei`, or why there is none. */
export interface CategoryValue {
	count: number | null;
	share: number | null;
	/**
	 * `riservato`: suppressed by the pipeline as under 3 households ("< 3"); `non_pubblicato`:
	 * suppressed otherwise — hidden so that another cell cannot be recovered by subtraction, or a
	 * sum (RdC + PdC) with a suppressed part ("n.d."); `non_applicabile`: not defined for the measure.
	 */
	state: 'ok' | 'riservato' | 'non_pubblicato' | 'non_applicabile';
}

/** Categories of each territory in one month. */
export type MonthCategories = Map<TerritoryId, Record<CategoryColumn, CategoryValue>>;

/** The rows of `categoriesQuery` → per month, per territory, per category. */
export function toCategories(rows: Row[]): Map<string, MonthCategories> {
	const out = new Map<string, MonthCategories>();
	for (const r of rows) {
		const nuclei = r.nuclei as number | null;
		const rec = {} as Record<CategoryColumn, CategoryValue>;
		for (const c of CATEGORY_COLUMNS) {
			const count = r[c] as number | null;
			const state = count !== null ? 'ok' : !r[`${c}_soppresso`] ? 'non_applicabile' : r[`${c}_meno_di_3`] ? 'riservato' : 'non_pubblicato';
			rec[c] = { count, share: count !== null && nuclei ? count / nuclei : null, state };
		}
		const month = String(r.month);
		if (!out.has(month)) out.set(month, new Map());
		out.get(month)!.set(String(r.territory_id), rec);
	}
	return out;
}
