/**
 * Every answer of Confronto for one territory, level and month at once: DuckDB aggregates each
 * indicator for each measure choice in one query over the month's slice, and the columns stay
 * in the page. Changing the indicator or the measure then picks columns instead of asking the
 * engine (a query costs 20–80 ms on this machine, the pick well under 1 ms). Built in the
 * worker after the month's first answer is on screen. The sums, the suppression rule and the
 * states are `comparisonQuery`'s own expressions (`aggregate`), so both give the same rows
 * (month-answers.test.ts).
 */
import { HOUSEHOLD_MEASURES, type TerritoryId, type TerritoryLevel } from '#contracts';
import type { Columns } from '#lib/data/query.ts';
import { INDICATORS, type Indicator, type MeasureChoice } from './indicators.ts';
import { aggregate, membersOf, monthTable, stateCode, type Built } from './queries.ts';

export interface MonthKey {
	t: TerritoryId;
	level: TerritoryLevel;
	/** `YYYY-MM` */
	month: string;
}

/**
 * Rows `{id, name, choice, residenti, v0…vN, s0…sN}`, one per territory (of `level` inside `t`,
 * and `t`) and measure choice with rows in the month; `vK` is the K-th of `indicatorsOf(opts)`
 * (NULL when suppressed), `sK` its state code (CELL_STATES). Needs the month's
 * slice (`monthSliceQuery`) and, with `categories`, its suppression lists (`monthListsQuery`):
 * reading those costs several times the rest, so the core indicators come first without them.
 */
export function monthAnswersQuery(o: MonthKey, opts: { categories: boolean }): Built {
	const members = membersOf(o.t, o.level);
	const aggs = indicatorsOf(opts).map((ind) => aggregate(ind));
	const sums = aggs.map((a, k) => `${a.value} AS v${k}, ${a.suppressed} AS s${k}, ${a.under3} AS u${k}`).join(',\n\t\t');
	const cells = aggs.map((_, k) => `CASE WHEN s${k} THEN NULL ELSE v${k} END::DOUBLE AS v${k}, (${stateCode(`s${k}`, `u${k}`, `v${k}`)})::TINYINT AS s${k}`).join(',\n\t');
	const source = opts.categories ? `${monthTable(o.month)} LEFT JOIN ${monthTable(o.month, 'liste')} USING (territory_id, measure)` : monthTable(o.month);
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
SELECT t.id, t.name, g.choice, t.residenti,
	${cells}
FROM g JOIN confronto_territori t ON t.id = g.territory_id
ORDER BY t.id, g.choice`;
	return { sql, params: [...members.params, ...HOUSEHOLD_MEASURES, ...aggs.flatMap((a) => a.params)] };
}

/** The indicators of a month's answers: the core ones, and with `categories` every one. */
export function indicatorsOf(opts: { categories: boolean }): readonly Indicator[] {
	return opts.categories ? INDICATORS : INDICATORS.filter((i) => i.core);
}

/** The answers of one month, as columns. */
export interface MonthAnswers {
	indicators: readonly Indicator[];
	ids: string[];
	names: string[];
	choices: string[];
	residenti: Float64Array;
	values: Float64Array[];
	states: Float64Array[];
}

export function readMonthAnswers(cols: Columns, opts: { categories: boolean }): MonthAnswers {
	const indicators = indicatorsOf(opts);
	return {
		indicators,
		ids: cols.values('id') as string[],
		names: cols.values('name') as string[],
		choices: cols.values('choice') as string[],
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
	const rows: number[] = [];
	for (let i = 0; i < a.choices.length; i++) if (a.choices[i] === measure) rows.push(i);
	const n = rows.length;
	const state = new Uint8Array(n);
	const out: PickedAnswer = { ids: new Array(n), names: new Array(n), residenti: new Float64Array(n), value: new Float64Array(n), rate: new Float64Array(n), state };
	const [values, states] = [a.values[k], a.states[k]];
	rows.forEach((i, j) => {
		out.ids[j] = a.ids[i];
		out.names[j] = a.names[i];
		out.residenti[j] = a.residenti[i];
		out.value[j] = values[i];
		// As comparisonQuery: value * 1000.0 / nullif(residenti, 0), NULL for a mean or a suppressed cell.
		const r = a.residenti[i];
		out.rate[j] = indicator.kind === 'count' && r !== 0 && !Number.isNaN(r) ? (values[i] * 1000) / r : NaN;
		state[j] = states[i];
	});
	return out;
}
