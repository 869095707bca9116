/**
 * Names and parents of every territory the user has loaded (from the summaries first, then
 * from the `extract` table), and the benchmarks of a territory: its Regione and Italia.
 */
import type { TerritoryId, TerritoryLevel } from '#contracts';
import { levelOf } from '#contracts';
import { territoryLabel } from '#lib/auth/index.ts';
import { query } from './query.ts';
import { ensureScope, extracts } from './session.ts';
import { territoriesQuery } from './views.ts';

export interface TerritoryInfo {
	id: TerritoryId;
	name: string;
	level: TerritoryLevel;
	parent: TerritoryId | null;
}

class Territories {
	// Raw: replaced whole on every add (never mutated), and a deep proxy over thousands of entries is slow.
	#byId = $state.raw<Record<TerritoryId, TerritoryInfo>>({});

	/** The territory's name, or a label made from its id while it is unknown. */
	name(id: TerritoryId): string {
		return this.#byId[id]?.name ?? territoryLabel(id);
	}

	info(id: TerritoryId): TerritoryInfo | undefined {
		return this.#byId[id];
	}

	#all: { of: Record<TerritoryId, TerritoryInfo>; list: TerritoryInfo[] } | null = null;

	/** Every known territory: the same array until a territory is added (a view that sorts it can keep its result). */
	get all(): TerritoryInfo[] {
		const of = this.#byId;
		if (this.#all?.of !== of) this.#all = { of, list: Object.values(of) };
		return this.#all.list;
	}

	/** Adds what a summary or a query told us. */
	add(list: readonly TerritoryInfo[]): void {
		const next = { ...this.#byId };
		for (const t of list) next[t.id] = { ...next[t.id], ...t, parent: t.parent ?? next[t.id]?.parent ?? null };
		this.#byId = next;
	}

	/** Reads the index of the `extract` table (after a load). */
	async refresh(): Promise<void> {
		const { sql, params } = territoriesQuery();
		const rows = await query(sql, params);
		this.add(rows.map((r) => ({ id: String(r.id), name: String(r.name), level: r.level as TerritoryLevel, parent: (r.parent_id as string | null) ?? null })));
	}

	/**
	 * Makes the names of everything inside `scopes` known, for the territory picker: loads each
	 * scope's extract (a file already loaded, or one containing it, is not fetched again).
	 */
	async loadNames(scopes: readonly TerritoryId[]): Promise<void> {
		await Promise.all(scopes.map((s) => ensureScope(s)));
		await this.refresh();
	}

	/**
	 * Learns the names of `ids` from their first-view summaries (a few kB each, cached), for the
	 * breadcrumb and the header; with them the names of their benchmarks (Regione, Italia) and a
	 * Comune's ATS. `known`: read the summaries of known territories too (for those names).
	 */
	async nameFromSummaries(ids: readonly TerritoryId[], opts: { known?: boolean } = {}): Promise<void> {
		const found = await Promise.all(ids.filter((id) => opts.known || !this.#byId[id]).map((id) => extracts.summary(id).catch(() => null)));
		const list = found.flatMap((s) =>
			s
				? [s.territory, ...s.benchmarks, ...(s.ats ? [{ ...s.ats, level: 'ats' as const }] : [])]
						.filter((x) => x === s.territory || !this.#byId[x.id])
						.map((x) => ({ id: x.id, name: x.name, level: x.level, parent: null }))
				: []
		);
		if (list.length) this.add(list);
	}

	/** The Regione containing `id` (from the parents, else from the manifest's `within`). */
	async regioneOf(id: TerritoryId): Promise<TerritoryId | null> {
		let cur: TerritoryId | null = id;
		for (let i = 0; cur && i < 4; i++) {
			if (levelOf(cur) === 'regione') return cur;
			cur = this.#byId[cur]?.parent ?? null;
		}
		const file = await extracts.fileFor(id);
		return file?.within.find((w) => levelOf(w) === 'regione') ?? null;
	}

	/** The benchmarks of `id`: its Regione (unless it is one) and Italia (unless it is Italia). */
	async benchmarksOf(id: TerritoryId): Promise<TerritoryId[]> {
		if (id === 'it') return [];
		const r = levelOf(id) === 'regione' ? null : await this.regioneOf(id);
		return [...(r ? [r] : []), 'it'];
	}
}

/** The app's territory index. */
export const territories = new Territories();
