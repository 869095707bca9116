/**
 * The data behind Confronto, one query per interaction: changing the indicator, measure,
 * month or level runs the comparison query; picking territories runs the series query.
 * Sorting and searching need no query (index arrays over the rows, see table-utils).
 * Each answer carries its time in ms (`lastQueryMs`), also left as a User Timing measure
 * `cruscotto:confronto-query` for the benchmark.
 */
import type { TerritoryId, TerritoryLevel } from '#contracts';
import type { ComparisonRow } from '#lib/charts/table/table-utils.ts';
import type { Series } from '#lib/charts/small-multiples/small-multiples-utils.ts';
import { italianError } from '#lib/data/errors.ts';
import { query } from '#lib/data/query.ts';
import { ensureScope } from '#lib/data/session.ts';
import { territories } from '#lib/data/Territories.svelte.ts';
import type { Indicator, MeasureChoice } from './indicators.ts';
import { comparisonQuery, monthsQuery, seriesQuery, territoryIndexQuery, type Built } from './queries.ts';

async function timed({ sql, params }: Built): Promise<{ rows: Awaited<ReturnType<typeof query>>; ms: number }> {
	const start = performance.now();
	const rows = await query(sql, params);
	const ms = performance.now() - start;
	performance.measure?.('cruscotto:confronto-query', { start, duration: ms });
	return { rows, ms };
}

const num = (v: unknown) => (typeof v === 'number' ? v : null);
const monthDate = (m: string) => new Date(Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)) - 1, 1));

export class ConfrontoData {
	/** `loading` until the territory's extract is in the engine. */
	status = $state<'loading' | 'ready' | 'error'>('loading');
	error = $state<string | null>(null);
	// Raw state: results are replaced whole, never mutated; deep proxies over 1,506 rows cost more than the query.
	months = $state.raw<{ month: string; measures: string[] }[]>([]);
	rows = $state.raw<ComparisonRow[]>([]);
	scopeRow = $state.raw<ComparisonRow | null>(null);
	/** True while a comparison query is running (the previous rows stay on screen). */
	pending = $state(false);
	series = $state.raw<Series[]>([]);
	lastQueryMs = $state<number | null>(null);
	#scopeGen = 0;
	#cmpGen = 0;
	#serGen = 0;
	#t: TerritoryId | null = null;

	/** Loads the extract of `t` and its months (a no-op when `t` is already loaded). */
	async loadScope(t: TerritoryId): Promise<void> {
		if (t === this.#t && this.status === 'ready') return;
		this.#t = t;
		const gen = ++this.#scopeGen;
		this.status = 'loading';
		this.error = null;
		try {
			await ensureScope(t);
			await territories.refresh();
			const index = territoryIndexQuery();
			await query(index.sql, index.params);
			const { rows } = await timed(monthsQuery(t));
			if (gen !== this.#scopeGen) return;
			this.months = rows.map((r) => ({ month: String(r.month), measures: (r.measures as string[]) ?? [] }));
			this.status = 'ready';
		} catch (e) {
			if (gen !== this.#scopeGen) return;
			this.status = 'error';
			this.error = italianError(e);
		}
	}

	/** Runs the comparison query; the rows keep the query's order (by name). */
	async compare(o: { t: TerritoryId; level: TerritoryLevel; month: string; measure: MeasureChoice; indicator: Indicator }): Promise<void> {
		const gen = ++this.#cmpGen;
		this.pending = true;
		try {
			const { rows, ms } = await timed(comparisonQuery(o));
			if (gen !== this.#cmpGen) return;
			const out: ComparisonRow[] = [];
			let scope: ComparisonRow | null = null;
			for (const r of rows) {
				const row: ComparisonRow = {
					id: String(r.id),
					name: String(r.name),
					residenti: num(r.residenti),
					value: num(r.value),
					rate: num(r.rate),
					state: r.state as ComparisonRow['state']
				};
				if (r.is_scope) scope = row;
				else out.push(row);
			}
			this.rows = out;
			this.scopeRow = scope;
			this.lastQueryMs = ms;
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
			return;
		}
		try {
			const { rows, ms } = await timed(seriesQuery(o));
			if (gen !== this.#serGen) return;
			const by = new Map<string, Series>();
			for (const r of rows) {
				const id = String(r.id);
				let s = by.get(id);
				if (!s) by.set(id, (s = { id, name: territories.name(id), months: [], values: [] }));
				s.months.push(monthDate(String(r.month)));
				s.values.push(o.indicator.kind === 'count' ? num(r.rate) : num(r.value));
			}
			this.series = o.ids.flatMap((id) => by.get(id) ?? []);
			this.lastQueryMs = ms;
		} catch (e) {
			if (gen === this.#serGen) this.error = italianError(e);
		}
	}
}
