/**
 * The series of the territory in view and of its benchmarks, for the territory views. The
 * first-view summary answers at once; DuckDB answers when the engine and the extract are
 * ready, and takes over silently: the numbers are the same (series.ts), so what is on screen
 * is kept and only the source changes. Results are kept per territory, so moving between views
 * shows them at once.
 */
import { untrack } from 'svelte';
import type { ManifestFile, SummaryTerritory, TerritoryId } from '#contracts';
import type { Param, Row } from './engine.ts';
import { italianError } from './errors.ts';
import { smallerSource } from './first-view.ts';
import { query } from './query.ts';
import { beforeTable, ensureScope, extracts } from './session.ts';
import { territories } from './Territories.svelte.ts';
import { seriesQuery, toTerritories } from './views.ts';

export type Source = 'summary' | 'duckdb';

/** Resolves after the next frame is painted. */
const afterPaint = () =>
	new Promise<void>((resolve) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(() => setTimeout(resolve, 0)) : resolve()));

const fromDb = new Map<TerritoryId, SummaryTerritory[]>();
const seriesWatchers = new Set<(list: readonly SummaryTerritory[]) => void>();

/**
 * Calls `fn` with each territory's series (the territory, then its benchmarks) as DuckDB's answer
 * is kept, and at once with those kept already: a view prepares ahead, in idle time, what it will
 * compute from them. Returns a function that stops the calls.
 */
export function onSeriesKept(fn: (list: readonly SummaryTerritory[]) => void): () => void {
	seriesWatchers.add(fn);
	for (const list of fromDb.values()) fn(list);
	return () => void seriesWatchers.delete(fn);
}

const SERIES_COLUMNS = 'territory_id, name, level, residenti, month, measure, nuclei, persone, importo_medio, nuclei_per_1000, soppressi_secondari';

/** Only registered file names (`<sha256>.parquet`) are ever spliced into SQL. */
const FILE_NAME = /^[0-9a-f]{64}\.parquet$/;

/**
 * `built` run on the rows of `ids` read straight from a registered Parquet file: a CTE named
 * `extract` stands for the table. One scan with `IN`: a Regione file is month-first in 16k-row
 * groups (each group holds every territory) and an ATS file is one group, so an equality per id
 * (pushed into the scan) skips no group, and the `UNION ALL` of them read the file once per id
 * (warm code, Lombardia: 140-220 ms against 110-170 ms; decision 0032). Only the columns
 * `seriesQuery` reads.
 */
function overFile(file: string, ids: readonly TerritoryId[], built: { sql: string; params: Param[] }) {
	if (!FILE_NAME.test(file)) throw new Error(`Unexpected file name ${JSON.stringify(file)}`);
	const list = ids.map(() => '?').join(', ');
	return { sql: `WITH extract AS (SELECT ${SERIES_COLUMNS} FROM read_parquet('${file}') WHERE territory_id IN (${list})) ${built.sql}`, params: [...ids, ...built.params] };
}

/** Same territories, months, measures and figures, suppressions' kinds included (the summary's order may differ). */
export function sameFigures(a: readonly SummaryTerritory[], b: readonly SummaryTerritory[]): boolean {
	if (a.length !== b.length) return false;
	const key = (t: SummaryTerritory) =>
		t.series
			.map((p) => `${p.month}|${p.measure}|${p.nuclei}|${p.persone}|${p.importo_medio}|${p.nuclei_per_1000}|${p.secondario ?? ''}`)
			.sort()
			.join(';');
	return a.every((t, i) => t.id === b[i].id && t.name === b[i].name && t.residenti === b[i].residenti && key(t) === key(b[i]));
}

/** One view's data for the territory it shows. */
export class TerritoryData {
	/** The territory first, then its benchmarks (Regione, Italia). Raw: replaced whole, never mutated; a deep proxy made every read of a series point tracked (~0.5 s to render the home view of a Regione). */
	list = $state.raw<SummaryTerritory[] | null>(null);
	source = $state<Source | null>(null);
	/** An Italian message; the data may still be on screen (from the summary) when the engine fails. */
	error = $state<string | null>(null);
	#t: TerritoryId | null = null;
	#gen = 0;

	get territory(): SummaryTerritory | null {
		return this.list?.[0] ?? null;
	}
	get benchmarks(): SummaryTerritory[] {
		return this.list?.slice(1) ?? [];
	}

	/** Loads `t` (a no-op when it is already the one in view). Safe to call from an effect: reads nothing reactively. */
	load(t: TerritoryId, opts: { summary?: boolean } = {}): void {
		untrack(() => this.#load(t, opts));
	}

	#load(t: TerritoryId, opts: { summary?: boolean }): void {
		if (t === this.#t && !this.error) return;
		this.#t = t;
		const gen = ++this.#gen;
		this.error = null;
		const cached = fromDb.get(t);
		if (cached) {
			this.list = cached;
			this.source = 'duckdb';
			return;
		}
		this.list = null;
		this.source = null;
		// The summary is for the first view of a page: once DuckDB has answered, it answers faster.
		const summary =
			opts.summary === false || fromDb.size > 0
				? Promise.resolve()
				: extracts.summary(t).then(
						(s) => {
							if (!s || gen !== this.#gen || this.source === 'duckdb') return;
							const list = [s.territory, ...s.benchmarks];
							territories.add(list.map((x) => ({ id: x.id, name: x.name, level: x.level, parent: null })));
							this.list = list;
							this.source = 'summary';
							// Two frames: the view paints its KPI cards, then its chart (decision 0031).
							return afterPaint().then(afterPaint);
						},
						() => undefined // the DuckDB path reports errors
					);
		// The engine (started at the login callback, or now) runs beside the summary, but a file to
		// download is requested once the first view is painted: a Regione's file (5.6 MB) reaches
		// the main thread in one ~100 ms task, which otherwise landed between the chart's render
		// and its paint (cold trace, decision 0034). A first answer whose file this browser holds
		// already (a returning user) is asked at once: the query runs in the engine's worker while
		// the first view renders (decision 0032, addendum of 27 Nov).
		const duckdb = this.#fromDuckDb(t, summary);
		duckdb.then(
			(list) => {
				if (gen !== this.#gen) return;
				territories.add(list.map((x) => ({ id: x.id, name: x.name, level: x.level, parent: null })));
				// Same numbers as the summary on screen: keep its objects, so nothing is drawn again.
				if (!(this.source === 'summary' && this.list && sameFigures(this.list, list))) this.list = list;
				this.source = 'duckdb';
			},
			(e: unknown) => {
				if (gen === this.#gen) this.error = italianError(e);
			}
		);
	}

	/** Tries again after an error. */
	retry(): void {
		const t = this.#t;
		this.#t = null;
		if (t) this.load(t);
	}

	/**
	 * The rows of `ids` from a file smaller than `t`'s own that holds them all (`italia.parquet`
	 * for a Regione), or null when there is none or it cannot be read. The table's loads wait for
	 * this query (the worker runs one request at a time); `t`'s file is fetched meanwhile.
	 */
	async #fromSmallerFile(t: TerritoryId, file: ManifestFile, ids: readonly TerritoryId[], built: { sql: string; params: Param[] }, painted: Promise<unknown>): Promise<Row[] | null> {
		const rows = extracts.register(file).then((name) => {
			const { sql, params } = overFile(name, ids, built);
			return query(sql, params);
		});
		extracts.hold(rows);
		void painted.then(() => ensureScope(t)).catch(() => undefined);
		return rows.catch(() => null);
	}

	/**
	 * `painted`: the first view's frames (the summary's KPI cards and chart). A file that must be
	 * downloaded, and `t`'s table, wait for it; a first answer from a file already held does not.
	 */
	async #fromDuckDb(t: TerritoryId, painted: Promise<unknown>): Promise<SummaryTerritory[]> {
		const own = await extracts.fileFor(t);
		// A Regione's first answer from `italia.parquet`, when it holds the territory and its benchmarks.
		const ownIds = own ? [t, ...(await territories.benchmarksOf(t))] : [];
		const smaller = own ? smallerSource(await extracts.manifest(), t, ownIds) : null;
		const first = smaller ?? own;
		if (!first || !(await extracts.held(first))) await painted;
		// A Comune or ATS without a file of its own (a Regione published without them) is read from
		// its Regione's file, which holds its benchmarks (that Regione, Italia): queried as soon as it
		// is registered, like an own file. Any other territory without its own file (a Provincia)
		// needs the table's parents for its benchmarks.
		const holder = own ? null : await extracts.containingFile(t);
		if (!own && !holder) {
			await ensureScope(t);
			await territories.refresh();
		}
		const ids = own ? ownIds : holder ? [t, holder.scope, 'it'] : [t, ...(await territories.benchmarksOf(t))];
		const built = seriesQuery(ids);
		const direct =
			(smaller && (await this.#fromSmallerFile(t, smaller, ids, built, painted))) ??
			(await beforeTable(holder?.scope ?? t, (file) => {
				const { sql, params } = overFile(file, ids, built);
				return query(sql, params);
			}));
		const list = toTerritories(ids, direct ?? (await query(built.sql, built.params)));
		if (list[0]?.id !== t) throw new Error(`No rows for ${t}`);
		fromDb.set(t, list);
		for (const fn of seriesWatchers) fn(list);
		// Every name and parent in the extract, once its table is built (not on the first view's path).
		void painted
			.then(() => ensureScope(t))
			.then(() => territories.refresh())
			.catch(() => undefined);
		return list;
	}
}
