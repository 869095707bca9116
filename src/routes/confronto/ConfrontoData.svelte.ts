/**
 * The data behind Confronto, one query per interaction: changing the indicator, measure,
 * month or level runs the comparison query (on the month's slice, see view-tables.ts);
 * picking territories runs the series query. Sorting and searching need no query (index
 * arrays over the rows, see table-utils). Each answer carries its time in ms
 * (`lastQueryMs`), also left as a User Timing measure `cruscotto:confronto-query` for the
 * benchmark; it covers the slice build when a month is new.
 */
import type { TerritoryId, TerritoryLevel } from '#contracts';
import type { ComparisonRow } from '#lib/charts/table/table-utils.ts';
import type { Series } from '#lib/charts/small-multiples/small-multiples-utils.ts';
import { italianError } from '#lib/data/errors.ts';
import { queryColumns, type Columns } from '#lib/data/query.ts';
import { nameOrder } from '#lib/charts/table/table-utils.ts';
import { ensureScope } from '#lib/data/session.ts';
import { territories } from '#lib/data/Territories.svelte.ts';
import type { Indicator, MeasureChoice } from './indicators.ts';
import { comparisonQuery, monthsQuery, needsLists, seriesQuery, type Built } from './queries.ts';
import { ensureIndex, ensureMonth, extractRows } from './view-tables.ts';

async function timed(built: Built, before?: () => Promise<void>): Promise<{ cols: Columns; ms: number }> {
	const start = performance.now();
	await before?.();
	const cols = await queryColumns(built.sql, built.params);
	const ms = performance.now() - start;
	performance.measure?.('cruscotto:confronto-query', { start, duration: ms });
	return { cols, ms };
}

const orNull = (v: number) => (Number.isNaN(v) ? null : v);
const monthDate = (m: string) => new Date(Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)) - 1, 1));

/**
 * Names and name order of a result's ids (id order), kept: the same territories come back at
 * every interaction, so their names are decoded and collated once.
 */
const byIds = new Map<string, { names: string[]; order: number[] }>();
function namesOf(ids: readonly string[], cols: Columns): { names: string[]; order: number[] } {
	const key = ids.join(',');
	let hit = byIds.get(key);
	if (!hit) {
		const names = cols.values('name') as string[];
		hit = { names, order: nameOrder(names) };
		if (byIds.size > 8) byIds.clear();
		byIds.set(key, hit);
	}
	return hit;
}
const STATES: ComparisonRow['state'][] = ['ok', 'riservato', 'assente'];

/**
 * Answers already drawn, by their options: going back to a choice (the first indicator, the
 * Regione after an ATS, Confronto after Andamento) shows the same DuckDB answer again without
 * asking. Cleared when the extract grows (`ensureIndex` says so), like the month slices.
 */
const answers = new Map<string, { rows: ComparisonRow[]; scope: ComparisonRow | null; ms: number }>();
const MAX_ANSWERS = 48;
let answersFor: number | null = null;

/** Months of a territory (they change only with the extract, as the index does). */
const monthsOf = new Map<TerritoryId, { month: string; measures: string[] }[]>();

export class ConfrontoData {
	/** `loading` until the territory's extract is in the engine. */
	status = $state<'loading' | 'ready' | 'error'>('loading');
	/** The territory whose extract and months are loaded: queries for another wait for it. */
	readyFor = $state<TerritoryId | null>(null);
	error = $state<string | null>(null);
	// Raw state: results are replaced whole, never mutated; deep proxies over 1,506 rows cost more than the query.
	months = $state.raw<{ month: string; measures: string[] }[]>([]);
	rows = $state.raw<ComparisonRow[]>([]);
	scopeRow = $state.raw<ComparisonRow | null>(null);
	/** True while a comparison query is running (the previous rows stay on screen). */
	pending = $state(false);
	series = $state.raw<Series[]>([]);
	/** True while a series query is running. */
	seriesPending = $state(false);
	lastQueryMs = $state<number | null>(null);
	#scopeGen = 0;
	#cmpGen = 0;
	#serGen = 0;
	#t: TerritoryId | null = null;

	/**
	 * Loads the extract of `t` and its months (a no-op when `t` is already loaded). What is on
	 * screen stays while a territory already in the engine resolves (a drill-down inside the
	 * Regione: tens of ms), so the charts update in place instead of being drawn again; the
	 * loading message replaces them only after 150 ms (a download).
	 */
	async loadScope(t: TerritoryId): Promise<void> {
		if (t === this.#t && this.status === 'ready') return;
		this.#t = t;
		const gen = ++this.#scopeGen;
		this.error = null;
		let slow: ReturnType<typeof setTimeout> | undefined;
		if (this.status === 'ready') {
			this.pending = true;
			slow = setTimeout(() => gen === this.#scopeGen && (this.status = 'loading'), 150);
		} else this.status = 'loading';
		try {
			await ensureScope(t);
			await territories.refresh();
			await ensureIndex();
			let months = monthsOf.get(t);
			if (!months) {
				const { cols } = await timed(monthsQuery(t));
				const measures = cols.values('measures');
				months = cols.values('month').map((m, i) => ({ month: String(m), measures: (measures[i] as string[]) ?? [] }));
				monthsOf.set(t, months);
			}
			if (gen !== this.#scopeGen) return;
			this.months = months;
			this.readyFor = t;
			this.status = 'ready';
		} catch (e) {
			if (gen !== this.#scopeGen) return;
			this.status = 'error';
			this.error = italianError(e);
		} finally {
			clearTimeout(slow);
			if (gen === this.#scopeGen) this.pending = false;
		}
	}

	/** Runs the comparison query; the rows keep the query's order (by name). */
	async compare(o: { t: TerritoryId; level: TerritoryLevel; month: string; measure: MeasureChoice; indicator: Indicator }): Promise<void> {
		const gen = ++this.#cmpGen;
		const key = [o.t, o.level, o.month, o.measure, o.indicator.key].join('|');
		const known = answersFor === extractRows() ? answers.get(key) : undefined;
		if (known) {
			this.rows = known.rows;
			this.scopeRow = known.scope;
			this.lastQueryMs = known.ms;
			this.pending = false;
			return;
		}
		this.pending = true;
		try {
			const { cols, ms } = await timed(comparisonQuery(o, { slice: true }), () => ensureMonth(o.month, needsLists(o.indicator)));
			if (gen !== this.#cmpGen) return;
			const ids = cols.values('id') as string[];
			const { names, order } = namesOf(ids, cols);
			const [residenti, value, rate, state] = ['residenti', 'value', 'rate', 'state_code'].map((c) => cols.numbers(c));
			const out: ComparisonRow[] = [];
			let scope: ComparisonRow | null = null;
			// Rows in name order: ties in every sort keep it without comparing names again.
			for (const i of order) {
				const row: ComparisonRow = {
					id: ids[i],
					name: names[i],
					residenti: orNull(residenti[i]),
					value: orNull(value[i]),
					rate: orNull(rate[i]),
					state: STATES[state[i]]
				};
				if (ids[i] === o.t) scope = row;
				else out.push(row);
			}
			this.rows = out;
			this.scopeRow = scope;
			this.lastQueryMs = ms;
			if (answersFor !== extractRows()) answers.clear();
			answersFor = extractRows();
			if (answers.size >= MAX_ANSWERS) answers.delete(answers.keys().next().value!);
			answers.set(key, { rows: out, scope, ms });
			// The month's suppression lists (categories need them) follow in the worker once this
			// answer is on screen, so a later category is answered from ready tables.
			if (!needsLists(o.indicator)) setTimeout(() => void ensureMonth(o.month, true).catch(() => undefined), 0);
		} catch (e) {
			if (gen === this.#cmpGen) {
				this.status = 'error';
				this.error = italianError(e);
			}
		} finally {
			if (gen === this.#cmpGen) this.pending = false;
		}
	}

	/** Runs the series query for the picked ids and the territory in view (its series comes first). */
	async loadSeries(o: { ids: readonly TerritoryId[]; measure: MeasureChoice; indicator: Indicator }): Promise<void> {
		const gen = ++this.#serGen;
		if (o.ids.length === 0) {
			this.series = [];
			this.seriesPending = false;
			return;
		}
		this.seriesPending = true;
		try {
			const { cols, ms } = await timed(seriesQuery(o));
			if (gen !== this.#serGen) return;
			const by = new Map<string, Series>();
			const [ids, months] = [cols.values('id'), cols.values('month')];
			const values = cols.numbers(o.indicator.kind === 'count' ? 'rate' : 'value');
			for (let i = 0; i < cols.numRows; i++) {
				const id = String(ids[i]);
				let s = by.get(id);
				if (!s) by.set(id, (s = { id, name: territories.name(id), months: [], values: [] }));
				s.months.push(monthDate(String(months[i])));
				s.values.push(orNull(values[i]));
			}
			this.series = o.ids.flatMap((id) => by.get(id) ?? []);
			this.lastQueryMs = ms;
		} catch (e) {
			if (gen === this.#serGen) this.error = italianError(e);
		} finally {
			if (gen === this.#serGen) this.seriesPending = false;
		}
	}
}
