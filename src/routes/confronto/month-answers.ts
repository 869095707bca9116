/**
 * Every answer of Confronto for one territory, level and month: DuckDB aggregates each
 * indicator for each measure choice over the month's slice, a few indicators per query
 * (`monthParts`), and the columns stay in the page. Changing the indicator or the measure then picks columns instead of asking the
 * engine (a query costs 20–80 ms on this machine, the pick well under 1 ms). Built in the
 * worker after the month's first answer is on screen. The sums, the suppression rule and the
 * states are `comparisonQuery`'s own expressions (`aggregate`), so both give the same rows
 * (month-answers.test.ts).
 */
import { HOUSEHOLD_MEASURES, type TerritoryId, type TerritoryLevel } from '#contracts';
import type { Columns } from '#lib/data/query.ts';
import { INDICATORS, MEASURE_CHOICES, type Indicator, type MeasureChoice } from './indicators.ts';
import { aggregate, membersOf, monthTable, needsLists, stateCode, type Built } from './queries.ts';

export interface MonthKey {
	t: TerritoryId;
	level: TerritoryLevel;
	/** `YYYY-MM` */
	month: string;
}

/**
 * Rows `{k, choice, residenti, v0…vN, s0…sN}`, one per territory (of `level` inside `t`, and
 * `t`) and measure choice with rows in the month, in territory id order: `k` is the territory's
 * key (`territoryKeysQuery`), `choice` the index of its measure choice in `MEASURE_CHOICES`, `vK`
 * the K-th of `indicators` (NULL when suppressed), `sK` its state code (CELL_STATES). No string
 * column: the answers are decoded in the page as typed arrays (no per-row strings to allocate,
 * and to copy at the next garbage collection); the ids and names come from the keys. Needs the
 * month's slice (`monthSliceQuery`) and, for a category, its suppression lists
 * (`monthListsQuery`): reading those costs several times the rest, so the core indicators come
 * first without them.
 */
export function monthAnswersQuery(o: MonthKey, indicators: readonly Indicator[]): Built {
	const members = membersOf(o.t, o.level);
	const aggs = indicators.map((ind) => aggregate(ind));
	const sums = aggs.map((a, k) => `${a.value} AS v${k}, ${a.suppressed} AS s${k}, ${a.under3} AS u${k}`).join(',\n\t\t');
	const cells = aggs.map((_, k) => `CASE WHEN s${k} THEN NULL ELSE v${k} END::DOUBLE AS v${k}, (${stateCode(`s${k}`, `u${k}`, `v${k}`)})::TINYINT AS s${k}`).join(',\n\t');
	const source = indicators.some(needsLists) ? `${monthTable(o.month)} LEFT JOIN ${monthTable(o.month, 'liste')} USING (territory_id, measure)` : monthTable(o.month);
	const sql = `WITH x AS (
	SELECT * FROM ${source}
	WHERE territory_id IN (${members.sql})
),
y AS (
	SELECT *, measure AS choice FROM x
	UNION ALL SELECT *, 'totale' AS choice FROM x WHERE measure IN (${HOUSEHOLD_MEASURES.map(() => '?').join(', ')})
),
g AS (
	SELECT territory_id, choice,
		${sums}
	FROM y GROUP BY territory_id, choice
)
SELECT t.rowid::INTEGER AS k, (CASE g.choice ${MEASURE_CHOICES.map((_, i) => `WHEN ? THEN ${i}`).join(' ')} END)::TINYINT AS choice, t.residenti,
	${cells}
FROM g JOIN confronto_territori t ON t.id = g.territory_id
ORDER BY t.id, g.choice`;
	return { sql, params: [...members.params, ...HOUSEHOLD_MEASURES, ...aggs.flatMap((a) => a.params), ...MEASURE_CHOICES] };
}

/**
 * Categories per query of a month's answers. Four per query cost the browser's worker 70–90 ms
 * each (300+ ms for the sixteen, against 150–200 in one query): the fixed part of a query (the
 * slice joined with its lists, grouped) dominates, so they are read in one.
 */
export const CATEGORIES_PER_QUERY = 16;

/**
 * The indicators of each query of a month's answers, in the order they are built: the core ones
 * (no suppression lists to read), then the categories `CATEGORIES_PER_QUERY` at a time, in the
 * order the indicator list shows them. Each query is one background task: a choice made while
 * one runs waits for that one alone.
 */
export function monthParts(per = CATEGORIES_PER_QUERY): Indicator[][] {
	const categories = INDICATORS.filter(needsLists);
	const parts = [INDICATORS.filter((i) => !needsLists(i))];
	for (let i = 0; i < categories.length; i += per) parts.push(categories.slice(i, i + per));
	return parts;
}

/**
 * Every territory of `confronto_territori` by its key `k` (its `rowid`, `territoryKeysQuery`):
 * read once per extract, so the month answers and every territory's series carry numbers only.
 */
export interface TerritoryKeys {
	ids: string[];
	names: string[];
	/** `k` by id. */
	byId: Map<string, number>;
}

export function readTerritoryKeys(cols: Columns): TerritoryKeys {
	const [k, id, name] = [cols.numbers('k'), cols.values('id'), cols.values('name')];
	const out: TerritoryKeys = { ids: [], names: [], byId: new Map() };
	for (let i = 0; i < k.length; i++) {
		out.ids[k[i]] = String(id[i]);
		out.names[k[i]] = String(name[i]);
		out.byId.set(String(id[i]), k[i]);
	}
	return out;
}

/** The answers of one month, as columns. */
export interface MonthAnswers {
	indicators: readonly Indicator[];
	territories: TerritoryKeys;
	/** Per row: the territory's key, the measure choice's index in `MEASURE_CHOICES`. */
	keys: Float64Array;
	choices: Float64Array;
	residenti: Float64Array;
	values: Float64Array[];
	states: Float64Array[];
}

/** The answers of `monthAnswersQuery(…, indicators)`. */
export function readMonthAnswers(cols: Columns, indicators: readonly Indicator[], territories: TerritoryKeys): MonthAnswers {
	return {
		indicators,
		territories,
		keys: cols.numbers('k'),
		choices: cols.numbers('choice'),
		residenti: cols.numbers('residenti'),
		values: indicators.map((_, k) => cols.numbers(`v${k}`)),
		states: indicators.map((_, k) => cols.numbers(`s${k}`))
	};
}

/** One comparison as columns in id order (what `comparisonQuery` returns), NULL as NaN. */
export interface PickedAnswer {
	ids: string[];
	names: string[];
	residenti: Float64Array;
	value: Float64Array;
	rate: Float64Array;
	state: ArrayLike<number>;
}

/** The comparison of `indicator` for `measure`, picked from the month's answers; null when they do not hold the indicator. */
export function pickAnswer(a: MonthAnswers, measure: MeasureChoice, indicator: Indicator): PickedAnswer | null {
	const k = a.indicators.findIndex((i) => i.key === indicator.key);
	if (k < 0) return null;
	const choice = MEASURE_CHOICES.indexOf(measure);
	let n = 0;
	for (let i = 0; i < a.choices.length; i++) if (a.choices[i] === choice) n++;
	const out: PickedAnswer = { ids: new Array(n), names: new Array(n), residenti: new Float64Array(n), value: new Float64Array(n), rate: new Float64Array(n), state: new Uint8Array(n) };
	const [values, states, { ids, names }] = [a.values[k], a.states[k], a.territories];
	const count = indicator.kind === 'count';
	for (let i = 0, j = 0; i < a.choices.length; i++) {
		if (a.choices[i] !== choice) continue;
		const t = a.keys[i];
		out.ids[j] = ids[t];
		out.names[j] = names[t];
		const r = a.residenti[i];
		out.residenti[j] = r;
		out.value[j] = values[i];
		// As comparisonQuery: value * 1000.0 / nullif(residenti, 0), NULL for a mean or a suppressed cell.
		out.rate[j] = count && r !== 0 && !Number.isNaN(r) ? (values[i] * 1000) / r : NaN;
		(out.state as Uint8Array)[j] = states[i];
		j++;
	}
	return out;
}
