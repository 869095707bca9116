/**
 * The series of the territory in view and of its benchmarks, for the territory views. The
 * first-view summary answers at once; DuckDB answers when the engine and the extract are
 * ready, and takes over silently (same numbers: see series.ts). Results are kept per
 * territory, so moving between views shows them at once.
 */
import { untrack } from 'svelte';
import type { SummaryTerritory, TerritoryId } from '#contracts';
import { italianError } from './errors.ts';
import { engineStarted, query } from './query.ts';
import { ensureScope, extracts } from './session.ts';
import { territories } from './Territories.svelte.ts';
import { seriesQuery, toTerritories } from './views.ts';

export type Source = 'summary' | 'duckdb';

/** Resolves after the next frame is painted. */
const afterPaint = () =>
	new Promise<void>((resolve) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(() => setTimeout(resolve, 0)) : resolve()));

const fromDb = new Map<TerritoryId, SummaryTerritory[]>();

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
		const summary =
			opts.summary === false || engineStarted()
				? Promise.resolve()
				: extracts.summary(t).then(
						(s) => {
							if (!s || gen !== this.#gen || this.source === 'duckdb') return;
							const list = [s.territory, ...s.benchmarks];
							territories.add(list.map((x) => ({ id: x.id, name: x.name, level: x.level, parent: null })));
							this.list = list;
							this.source = 'summary';
							return afterPaint();
						},
						() => undefined // the DuckDB path reports errors
					);
		// DuckDB-WASM's start evaluates a large script on the main thread: it waits for the
		// summary's numbers to be painted, so the first view is not held up by it.
		summary.then(() => this.#fromDuckDb(t)).then(
			(list) => {
				if (gen !== this.#gen) return;
				this.list = list;
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

	async #fromDuckDb(t: TerritoryId): Promise<SummaryTerritory[]> {
		await ensureScope(t);
		await territories.refresh();
		const ids = [t, ...(await territories.benchmarksOf(t))];
		const { sql, params } = seriesQuery(ids);
		const list = toTerritories(ids, await query(sql, params));
		if (list[0]?.id !== t) throw new Error(`No rows for ${t}`);
		fromDb.set(t, list);
		return list;
	}
}
