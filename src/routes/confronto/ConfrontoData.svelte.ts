/**
 * The data behind Confronto, one query per interaction: changing the indicator, measure,
 * month or level runs the comparison query (on the month's slice once built, see view-tables.ts);
 * picking territories runs the series query. Sorting and searching need no query (index
 * arrays over the rows, see table-utils). Each answer carries its time in ms
 * (`lastQueryMs`), also left as a User Timing measure `cruscotto:confronto-query` for the
 * benchmark.
 */
import { levelOf, type TerritoryId, type TerritoryLevel } from '#contracts';
import type { ComparisonRow } from '#lib/charts/table/table-utils.ts';
import type { Series } from '#lib/charts/small-multiples/small-multiples-utils.ts';
import { italianError } from '#lib/data/errors.ts';
import { queryColumns, type Columns } from '#lib/data/query.ts';
import { nameOrder } from '#lib/charts/table/table-utils.ts';
import { ensureScope, extracts } from '#lib/data/session.ts';
import { territories } from '#lib/data/Territories.svelte.ts';
import { comparableLevels, type Indicator, type MeasureChoice } from './indicators.ts';
import { CELL_STATES, comparisonQuery, comuneAtsQuery, levelMonthsQuery, readLevelMonths, type ComparisonOptions, monthsQuery, needsLists, seriesChunkQuery, seriesQuery, territoryKeysQuery, type Built } from './queries.ts';
import { AllSeries, chunkRanges } from './all-series.ts';
import { background, foreground, held, needed, settled, whenQuiet, whenSettled } from '#lib/data/background.ts';
import { ensureIndexFor, ensureMonth, extractRows, hasMonth } from './view-tables.ts';
import { holdHistory } from '#lib/state/view-url.svelte.ts';
import { nearbyChoices } from './url.ts';
import { insideAts } from './inside-ats.ts';
import { monthAnswersQuery, monthParts, pickAnswer, readMonthAnswers, readTerritoryKeys, type MonthAnswers, type MonthKey, type PickedAnswer, type TerritoryKeys } from './month-answers.ts';

/** A query the user waits for (background work does not start meanwhile), timed. */
function timed(built: Built, before?: () => Promise<void>): Promise<{ cols: Columns; ms: number }> {
	return foreground(async () => {
		const start = performance.now();
		await before?.();
		const cols = await queryColumns(built.sql, built.params);
		const ms = performance.now() - start;
		performance.measure?.('cruscotto:confronto-query', { start, duration: ms });
		return { cols, ms };
	});
}

const orNull = (v: number) => (Number.isNaN(v) ? null : v);
const monthDate = (m: string) => new Date(Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)) - 1, 1));

/**
 * Names and name order of a result's ids (id order), kept: the same territories come back at
 * every interaction, so their names are decoded and collated once.
 */
const byIds = new Map<string, { names: string[]; order: number[] }>();
function namesOf(ids: readonly string[], readNames: () => string[]): { names: string[]; order: number[] } {
	const key = ids.join(',');
	let hit = byIds.get(key);
	if (!hit) {
		const names = readNames();
		hit = { names, order: nameOrder(names) };
		if (byIds.size > 8) byIds.clear();
		byIds.set(key, hit);
	}
	return hit;
}

/** Rows in name order (ties in every sort keep it without comparing names again), and the scope's row. */
function toRows(a: Omit<PickedAnswer, 'names'> & { names: () => string[] }, t: TerritoryId): { rows: ComparisonRow[]; scope: ComparisonRow | null } {
	const { names, order } = namesOf(a.ids, a.names);
	const rows: ComparisonRow[] = [];
	let scope: ComparisonRow | null = null;
	for (const i of order) {
		const row: ComparisonRow = {
			id: a.ids[i],
			name: names[i],
			residenti: orNull(a.residenti[i]),
			value: orNull(a.value[i]),
			rate: orNull(a.rate[i]),
			state: CELL_STATES[a.state[i]]
		};
		if (a.ids[i] === t) scope = row;
		else rows.push(row);
	}
	return { rows, scope };
}

/**
 * Every indicator and measure of a territory, level and month (month-answers.ts), by
 * `t|level|month`, in parts (`monthParts`): filled in the worker after the month's first answer
 * is drawn, read by every later choice of indicator or measure in that month. Cleared with
 * `answers`.
 */
const monthAnswers = new Map<string, MonthAnswers[]>();
/** A part of a month's answers being built: `started` once its first task has begun. */
type Phase = { indicators: readonly Indicator[]; started: boolean; done: Promise<void> };
/** The background builds under way: a choice that needs one waits for it rather than queue a query behind it. */
const monthAnswersPending = new Map<string, Phase[]>();
const MAX_MONTH_ANSWERS = 6;
const monthId = (key: MonthKey) => [key.t, key.level, key.month].join('|');

/**
 * Builds the month's answers in the background, one part per query (`monthParts`): the core
 * indicators at once (the slice is there), then the categories once the month's suppression
 * lists are built. Parts already held are not asked again.
 */
function prefetchMonth(key: MonthKey): void {
	const id = monthId(key);
	const rows = extractRows();
	if (monthAnswersPending.has(id) || rows === null) return;
	const have = new Set((monthAnswers.get(id) ?? []).flatMap((a) => a.indicators.map((i) => i.key)));
	const parts = monthParts().filter((part) => part.some((i) => !have.has(i.key)));
	if (parts.length === 0) return;
	// Queued first: the answers' rows name their territories by key.
	const keys = keysFor(rows);
	// In the background, a query at a time: a choice made meanwhile is not queued behind the rest.
	const run = async (phase: Phase) => {
		const lists = phase.indicators.some(needsLists);
		if (!hasMonth(key.month, lists)) await background(() => ((phase.started = true), ensureMonth(key.month, lists)));
		const territories = await keys;
		await background(async () => {
			phase.started = true;
			await ensureMonth(key.month, lists);
			const start = performance.now();
			const built = monthAnswersQuery(key, phase.indicators);
			const cols = await queryColumns(built.sql, built.params);
			performance.measure?.('cruscotto:confronto-prefetch', { start });
			await settled();
			if (rows !== extractRows() || answersFor !== rows) return;
			const held = monthAnswers.get(id);
			if (!held && monthAnswers.size >= MAX_MONTH_ANSWERS) monthAnswers.delete(monthAnswers.keys().next().value!);
			monthAnswers.set(id, [...(held ?? []), readMonthAnswers(cols, phase.indicators, territories)]);
		});
	};
	// Only a shortcut: a choice it does not cover asks its own query.
	let chain: Promise<void> = Promise.resolve();
	const phases = parts.map((indicators) => {
		const phase: Phase = { indicators, started: false, done: Promise.resolve() };
		phase.done = chain = chain.then(() => run(phase)).catch(() => undefined);
		return phase;
	});
	monthAnswersPending.set(id, phases);
	void chain.finally(() => monthAnswersPending.get(id) === phases && monthAnswersPending.delete(id));
}

/** The comparison from the month's answers; null when they do not hold it (yet). */
function fromMonthAnswers(o: MonthKey & { measure: MeasureChoice; indicator: Indicator }): { rows: ComparisonRow[]; scope: ComparisonRow | null } | null {
	const parts = answersFor === extractRows() ? monthAnswers.get(monthId(o)) : undefined;
	for (const a of parts ?? []) {
		const p = pickAnswer(a, o.measure, o.indicator);
		if (p) return toRows({ ...p, names: () => p.names }, o.t);
	}
	return null;
}

/** A comparison's query: a month seen before reads its slice; a new one reads the extract (no slice build first). */
async function askComparison(o: ComparisonOptions, user: boolean): Promise<{ cols: Columns; ms: number }> {
	const start = performance.now();
	const slice = hasMonth(o.month, needsLists(o.indicator));
	if (slice) await ensureMonth(o.month, needsLists(o.indicator));
	const { sql, params } = comparisonQuery(o, { slice });
	const cols = await queryColumns(sql, params);
	const ms = performance.now() - start;
	performance.measure?.(user ? 'cruscotto:confronto-query' : 'cruscotto:confronto-prefetch', { start, duration: ms });
	return { cols, ms };
}

function answerOf(cols: Columns, t: TerritoryId): Omit<Answer, 'ms'> {
	const [residenti, value, rate, state] = ['residenti', 'value', 'rate', 'state_code'].map((c) => cols.numbers(c));
	return toRows({ ids: cols.values('id') as string[], names: () => cols.values('name') as string[], residenti, value, rate, state }, t);
}

/** Every territory's key (`territoryKeysQuery`), for the extract of `rows` rows: read once, in the background. */
let territoryKeys: { rows: number; keys: Promise<TerritoryKeys> } | null = null;

function keysFor(rows: number): Promise<TerritoryKeys> {
	if (territoryKeys?.rows !== rows) {
		const { sql, params } = territoryKeysQuery();
		const keys = background(async () => readTerritoryKeys(await held(queryColumns(sql, params))), 0);
		territoryKeys = { rows, keys };
		keys.catch(() => territoryKeys?.keys === keys && (territoryKeys = null));
	}
	return territoryKeys.keys;
}

/** The ATS of each Comune, by Regione (`comuneAtsQuery`, read in the background), for the extract of `atsOfFor` rows. */
const atsOf = new Map<TerritoryId, Promise<Map<string, string | null>> | Map<string, string | null>>();
let atsOfFor: number | null = null;

function prefetchAtsOf(regione: TerritoryId): void {
	if (atsOfFor !== extractRows()) atsOf.clear();
	atsOfFor = extractRows();
	if (atsOf.has(regione)) return;
	const built = comuneAtsQuery(regione);
	const read = background(async () => {
		const cols = await held(queryColumns(built.sql, built.params));
		const [ids, parents] = [cols.values('id'), cols.values('parent_id')];
		return new Map(ids.map((id, i) => [String(id), parents[i] === null ? null : String(parents[i])]));
	}, 0);
	atsOf.set(regione, read);
	read.then(
		(map) => atsOf.get(regione) === read && atsOf.set(regione, map),
		() => atsOf.get(regione) === read && atsOf.delete(regione)
	);
}

/** An ATS's Comuni from its Regione's Comuni and ATS already answered (inside-ats.ts); null otherwise. */
function fromRegione(o: ComparisonOptions): { rows: ComparisonRow[]; scope: ComparisonRow | null } | null {
	if (levelOf(o.t) !== 'ats' || o.level !== 'comune' || answersFor !== extractRows() || atsOfFor !== extractRows()) return null;
	const regione = territories.info(o.t)?.parent;
	const parents = regione ? atsOf.get(regione) : undefined;
	if (!regione || !(parents instanceof Map)) return null;
	const at = (level: TerritoryLevel) => {
		const n = { ...o, t: regione, level };
		return answers.get(answerKey(n)) ?? fromMonthAnswers(n);
	};
	const [comuni, ats] = [at('comune'), at('ats')];
	return comuni && ats ? insideAts(o.t, comuni, ats, parents) : null;
}

/**
 * Answers already drawn, by their options: going back to a choice (the first indicator, the
 * Regione after an ATS, Confronto after Andamento) shows the same DuckDB answer again without
 * asking. Cleared when the extract grows (`ensureIndex` says so), like the month slices.
 */
type Answer = { rows: ComparisonRow[]; scope: ComparisonRow | null; ms: number };
const answers = new Map<string, Answer>();
const MAX_ANSWERS = 48;
let answersFor: number | null = null;

const answerKey = (o: ComparisonOptions) => [o.t, o.level, o.month, o.measure, o.indicator.key].join('|');
/** The choice on screen whose neighbours are read ahead. */
let aheadOf: string | null = null;

function remember(key: string, answer: Answer): void {
	if (answersFor !== extractRows()) {
		answers.clear();
		monthAnswers.clear();
	}
	answersFor = extractRows();
	if (answers.size >= MAX_ANSWERS) answers.delete(answers.keys().next().value!);
	answers.set(key, answer);
}

/** Series drawn before, by `id|measure|indicator` (null: no rows), for the extract of `seriesFor` rows. */
const seriesOf = new Map<string, Series | null>();
let seriesFor: number | null = null;

/**
 * Every territory's series, by `measure|indicator` (the last two asked), read in the background a
 * few months at a time once a comparison is on screen (all-series.ts): a territory picked after
 * that is drawn without a query. For the extract of `allSeriesFor` rows, with the territories'
 * keys (`keysFor`).
 */
const allSeries = new Map<string, AllSeries>();
const MAX_ALL_SERIES = 2;
let allSeriesFor: number | null = null;
/** The measure and indicator whose series are wanted now: a build for another one stops. */
let seriesWanted: string | null = null;
/** The build whose loop is running (one loop per build). */
let seriesLoop: AllSeries | null = null;

function prefetchAllSeries(o: { measure: MeasureChoice; indicator: Indicator }, months: readonly string[]): void {
	const rows = extractRows();
	if (rows === null) return;
	if (allSeriesFor !== rows) {
		allSeries.clear();
		allSeriesFor = rows;
	}
	const key = `${o.measure}|${o.indicator.key}`;
	seriesWanted = key;
	let all = allSeries.get(key);
	if (all?.complete || (all && seriesLoop === all)) return;
	if (!all) {
		if (allSeries.size >= MAX_ALL_SERIES) allSeries.delete(allSeries.keys().next().value!);
		allSeries.set(key, (all = new AllSeries(chunkRanges(months))));
	}
	const building = all;
	seriesLoop = building;
	keysFor(rows).catch(() => undefined);
	// Left incomplete when another measure or indicator comes first: resumed where it stopped
	// when this one is in view again.
	const stale = () => rows !== extractRows() || allSeries.get(key) !== building || seriesWanted !== key;
	void (async () => {
		for (let range = building.next; range && !stale(); range = building.next) {
			const r = range;
			await background(async () => {
				if (stale() || building.next !== r) return;
				const start = performance.now();
				const { sql, params } = seriesChunkQuery({ ...o, ...r });
				const cols = await queryColumns(sql, params);
				performance.measure?.('cruscotto:confronto-series-prefetch', { start });
				await settled();
				if (rows === extractRows() && building.next === r) building.add(cols);
			}, 2);
		}
	})()
		.catch(() => allSeries.get(key) === building && allSeries.delete(key))
		.finally(() => seriesLoop === building && (seriesLoop = null));
}

/** The series of `id` from every territory's series, when they are complete (undefined otherwise). */
async function fromAllSeries(o: { measure: MeasureChoice; indicator: Indicator }, id: string): Promise<Series | null | undefined> {
	const rows = extractRows();
	const all = rows !== null && allSeriesFor === rows ? allSeries.get(`${o.measure}|${o.indicator.key}`) : undefined;
	if (!all?.complete || territoryKeys?.rows !== rows) return undefined;
	const keys = await territoryKeys.keys.catch(() => null);
	if (!keys) return undefined;
	const k = keys.byId.get(id);
	return k === undefined ? null : all.series(k, id, territories.name(id));
}

/** Extract rows when the territory names were last read from it. */
let namesFor: number | null = null;

/** Months of a territory (they change only with the extract, as the index does). */
const monthsOf = new Map<TerritoryId, { month: string; measures: string[] }[]>();
/** Extract rows when the months of every territory above Comune level were last read. */
let levelMonthsFor: number | null = null;

/**
 * Reads, in one query after an answer is on screen, the months of every Regione and ATS (and
 * Italia) in the extract, so opening one of them from the table, the map or the breadcrumb
 * needs no months query before its comparison (a worker round trip, 20–40 ms under load).
 */
function prefetchLevelMonths(): void {
	const rows = extractRows();
	if (rows === null || levelMonthsFor === rows) return;
	levelMonthsFor = rows;
	const { sql, params } = levelMonthsQuery();
	// After the month answers (priority 0): the next choice is far likelier than a drill-down.
	background(async () => readLevelMonths(await held(queryColumns(sql, params))), 1).then(
		(by) => {
			if (rows !== extractRows()) return;
			for (const [id, list] of by) if (!monthsOf.has(id)) monthsOf.set(id, list);
		},
		() => (levelMonthsFor = null)
	);
}

/** The territory last loaded, for the extract of `rows` rows, with its months. */
let lastScope: { t: TerritoryId; rows: number | null; months: { month: string; measures: string[] }[] } | null = null;

/**
 * Territories made queryable (their extract, the territory index, the names: `readyScope`), by
 * the extract rows then: while the extract has the same rows, nothing of theirs is to wait for,
 * and a drill-down to one of them (the Regione after one of its ATS, an ATS made ready ahead)
 * shows its answer in the navigation's own update, without a render of the stale rows first.
 */
const scopesReady = new Map<TerritoryId, number | null>();

/** Makes `t` queryable (`ensureScope`, the index, the names when the extract grew) and records it in `scopesReady`. */
async function readyScope(t: TerritoryId): Promise<void> {
	await ensureScope(t);
	await ensureIndexFor(await extracts.fileFor(t));
	// The names of every loaded territory: read again only when the extract grew (a scan of
	// the whole table, 70–85 ms for Lombardia, that every drill-down and visit used to pay).
	if (namesFor !== extractRows()) {
		await territories.refresh();
		namesFor = extractRows();
	}
	scopesReady.set(t, extractRows());
}

/**
 * The ATS of a Regione on screen (`ids`), made ready in the background once the Regione is: the
 * calls load nothing (the Regione's file holds them; with a file of its own, an ATS is `within`
 * it) and, each a few awaits and manifest look-ups, they take one background task (measured as
 * `cruscotto:confronto-ready-ahead`). Opening one of them is then a synchronous `loadScope` (its
 * months come from `prefetchLevelMonths`).
 */
function prepareScopes(regione: TerritoryId, ids: readonly TerritoryId[]): void {
	const rows = extractRows();
	const current = () => rows !== null && rows === extractRows() && scopesReady.get(regione) === rows;
	const todo = ids.filter((id) => scopesReady.get(id) !== rows);
	if (!current() || todo.length === 0) return;
	void background(async () => {
		const start = performance.now();
		for (const [i, id] of todo.entries()) {
			// A task now and then (each call resolves at once: the loop is otherwise one task).
			if (i > 0 && i % 8 === 0) await new Promise((r) => setTimeout(r, 0));
			if (!current()) return;
			await readyScope(id);
		}
		performance.measure?.('cruscotto:confronto-ready-ahead', { start });
	}).catch(() => undefined);
}

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
	/** `territory|level` of the rows on screen: until the next answer comes, they may be another territory's (a drill-down). */
	shownFor = $state<string | null>(null);
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

	constructor() {
		// Made by the view as it mounts: once it is left (Andamento, the home view), nothing more is
		// read ahead for the choice it showed (a series build stops after its query in flight, and
		// resumes where it stopped when the view shows that choice again), so the worker is not busy
		// when the user comes back.
		$effect(() => () => {
			aheadOf = null;
			seriesWanted = null;
		});
	}

	/**
	 * The view opened again on the territory last loaded (the extract unchanged since): ready at
	 * once, so its first render draws the kept answer instead of "Caricamento…" and then the view.
	 * True when it is.
	 */
	resume(t: TerritoryId): boolean {
		if (lastScope?.t !== t || lastScope.rows !== extractRows() || this.status === 'ready') return false;
		this.#t = t;
		this.months = lastScope.months;
		this.readyFor = t;
		this.status = 'ready';
		return true;
	}

	/** Shows the answer kept for `o`, if there is one (a view opened again, before its effects run); true when shown. */
	showKept(o: ComparisonOptions): boolean {
		const known = answersFor === extractRows() ? answers.get(answerKey(o)) : undefined;
		if (known) this.#show(known, o);
		return known !== undefined;
	}

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
		// Ready already with this extract (a drill-down inside the Regione): at once, in the caller's update.
		const known = monthsOf.get(t);
		if (this.status === 'ready' && known && scopesReady.has(t) && scopesReady.get(t) === extractRows()) {
			this.months = known;
			this.readyFor = t;
			this.pending = false;
			lastScope = { t, rows: extractRows(), months: known };
			return;
		}
		let slow: ReturnType<typeof setTimeout> | undefined;
		if (this.status === 'ready') {
			this.pending = true;
			slow = setTimeout(() => gen === this.#scopeGen && (this.status = 'loading'), 150);
		} else this.status = 'loading';
		try {
			await foreground(() => readyScope(t));
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
			lastScope = { t, rows: extractRows(), months };
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
	compare(o: { t: TerritoryId; level: TerritoryLevel; month: string; measure: MeasureChoice; indicator: Indicator }): Promise<void> {
		const work = this.#compare(o);
		holdHistory(work);
		return work;
	}

	/** Puts an answer on screen: the rows of `o`'s territory and level. */
	#show(a: Answer, o: { t: TerritoryId; level: TerritoryLevel }): void {
		this.shownFor = `${o.t}|${o.level}`;
		this.rows = a.rows;
		this.scopeRow = a.scope;
		this.lastQueryMs = a.ms;
	}

	/**
	 * Once an answer is on screen, the worker reads ahead in the background: every other indicator
	 * and measure of this month (so the next choice is answered without a query), the months of
	 * every Regione and ATS (a drill-down), then every territory's series of this indicator (a pick)
	 * once the choice has outlived a step (`whenSettled`): reading them takes the worker 0.3–1.7 s,
	 * and for an indicator passed through on the way to another it only ran into the next steps.
	 */
	#ahead(o: ComparisonOptions): void {
		const months = this.months;
		const ids = this.rows.map((r) => r.id);
		const choice = (aheadOf = answerKey(o));
		// Scheduled once the step is painted and quiet (background.ts), not inside it.
		whenQuiet(() => {
			// The Regione's ATS on screen: opening one needs no await before its answer (first: a
			// click on one may come at any time).
			if (o.level === 'ats' && levelOf(o.t) === 'regione') prepareScopes(o.t, ids);
			prefetchMonth(o);
			prefetchLevelMonths();
			// The Regione's ATS on screen: each opens on its Comuni, answered from the Regione's.
			if (o.level === 'ats' && levelOf(o.t) === 'regione') prefetchAtsOf(o.t);
			// The month before, a year before, another measure's own month; last, after every series,
			// the other level of the same choice (a Regione's ATS beside its Comuni): one query each,
			// skipped once the user has moved on to another choice. Core indicators only: a category's
			// comparison outside a built month reads the suppression lists (several times the cost).
			const near = o.indicator.core ? nearbyChoices(months, o.month, o.measure).map((n) => ({ ...n, priority: 1 })) : [];
			const levels = o.indicator.core ? comparableLevels(o.t).filter((l) => l !== o.level).map((level) => ({ level, priority: 3 })) : [];
			for (const { priority, ...other } of [...near, ...levels]) {
				const n = { ...o, ...other };
				void background(async () => {
					const rows = extractRows();
					if (aheadOf !== choice || answers.has(answerKey(n)) || fromMonthAnswers(n)) return;
					const { cols } = await held(askComparison(n, false));
					if (rows === extractRows()) remember(answerKey(n), { ...answerOf(cols, n.t), ms: 0 });
				}, priority).catch(() => undefined);
			}
		});
		// A build for another measure or indicator stops now; this one's starts once the choice is settled.
		seriesWanted = `${o.measure}|${o.indicator.key}`;
		whenSettled(() => aheadOf === choice && prefetchAllSeries(o, months.map((m) => m.month)));
	}

	async #compare(o: { t: TerritoryId; level: TerritoryLevel; month: string; measure: MeasureChoice; indicator: Indicator }): Promise<void> {
		const gen = ++this.#cmpGen;
		const key = answerKey(o);
		let known = answersFor === extractRows() ? answers.get(key) : undefined;
		if (!known) {
			const picked = fromMonthAnswers(o) ?? fromRegione(o);
			if (picked) remember(key, (known = { ...picked, ms: 0 }));
		}
		if (known) {
			this.#show(known, o);
			this.pending = false;
			this.#ahead(o);
			return;
		}
		this.pending = true;
		try {
			// A build of this month's answers under way holds this one: wait for it rather than queue
			// behind it (one still waiting for its turn does not start before this choice is answered).
			const building = monthAnswersPending.get(monthId(o))?.find((p) => p.indicators.some((i) => i.key === o.indicator.key));
			const picked = building?.started ? (await needed(building.done), fromMonthAnswers(o)) : null;
			if (gen !== this.#cmpGen) return;
			if (picked) {
				const answer = { ...picked, ms: 0 };
				this.#show(answer, o);
				remember(key, answer);
				this.#ahead(o);
				return;
			}
			const { cols, ms } = await foreground(() => askComparison(o, true));
			if (gen !== this.#cmpGen) return;
			const answer = { ...answerOf(cols, o.t), ms };
			this.#show(answer, o);
			remember(key, answer);
			this.#ahead(o);
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
	loadSeries(o: { ids: readonly TerritoryId[]; measure: MeasureChoice; indicator: Indicator }): Promise<void> {
		const work = this.#loadSeries(o);
		holdHistory(work);
		return work;
	}

	async #loadSeries(o: { ids: readonly TerritoryId[]; measure: MeasureChoice; indicator: Indicator }): Promise<void> {
		const gen = ++this.#serGen;
		if (o.ids.length === 0) {
			this.series = [];
			this.seriesPending = false;
			return;
		}
		if (seriesFor !== extractRows()) seriesOf.clear();
		seriesFor = extractRows();
		const keyOf = (id: string) => `${id}|${o.measure}|${o.indicator.key}`;
		// Only the territories not drawn before are asked for: picking a fourth Comune reads one series,
		// not five; and none once every territory's series have been read in the background.
		let missing = o.ids.filter((id) => !seriesOf.has(keyOf(id)));
		for (const id of missing) {
			const known = await fromAllSeries(o, id);
			if (known !== undefined) seriesOf.set(keyOf(id), known);
		}
		if (gen !== this.#serGen) return;
		missing = missing.filter((id) => !seriesOf.has(keyOf(id)));
		const show = () => (this.series = o.ids.flatMap((id) => seriesOf.get(keyOf(id)) ?? []));
		if (missing.length === 0) {
			show();
			this.seriesPending = false;
			return;
		}
		this.seriesPending = true;
		try {
			const { cols, ms } = await timed(seriesQuery({ ...o, ids: missing }));
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
			if (seriesOf.size > 200) seriesOf.clear();
			// A territory without rows has no series: remembered as such (nothing to draw), not asked again.
			for (const id of missing) seriesOf.set(keyOf(id), by.get(id) ?? null);
			show();
			this.lastQueryMs = ms;
		} catch (e) {
			if (gen === this.#serGen) this.error = italianError(e);
		} finally {
			if (gen === this.#serGen) this.seriesPending = false;
		}
	}
}
