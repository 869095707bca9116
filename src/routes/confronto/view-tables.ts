/**
 * Confronto's own tables in the engine, kept for the page's lifetime (they outlive the view, so
 * coming back to Confronto builds nothing): the territory index, and one slice per month
 * compared. Both are rebuilt when the extract grows (a national user entering a Regione adds
 * its rows), which `SELECT count(*)` tells cheaply.
 */
import type { ManifestFile, TerritoryId } from '#contracts';
import { query } from '#lib/data/query.ts';
import { monthListsQuery, monthSliceQuery, monthTable, territoryIndexQuery } from './queries.ts';

/** Slices kept at most (about 3,000 rows each for Lombardia). */
const MAX_SLICES = 12;

let rows: number | null = null;
let index: Promise<void> | null = null;
const slices = new Map<string, Promise<void>>();
/** Months whose suppression lists are built (a subset of `slices`). */
const lists = new Map<string, Promise<void>>();
// One build at a time: a slice and the index read the same extract the loader writes.
let queue: Promise<unknown> = Promise.resolve();

function serial<T>(work: () => Promise<T>): Promise<T> {
	const next = queue.then(work);
	queue = next.catch(() => undefined);
	return next;
}

/** Rows of the extract when the index was last built: answers computed on another count are stale. */
export function extractRows(): number | null {
	return rows;
}

/**
 * Scopes whose rows were complete in `extract` when the index was last built. A file's rows never
 * change once loaded (a later file adds only territories not there yet), so a territory inside
 * one of these needs no `count(*)` round trip to know its rows, index and slices are current.
 */
const indexedScopes = new Set<TerritoryId>();

/**
 * `ensureIndex` for the territory `t`, served by `file` (its `scope` and `within`, from the
 * manifest; call after `ensureScope(t)`): skips the count when an enclosing Regione or ATS file
 * was already in the table at the last build (an ATS opened, back to the Regione, Confronto
 * reopened: 12–45 ms each under load). Italia's file is not trusted so: a national user's table
 * grows inside it when a Regione is entered.
 */
export async function ensureIndexFor(file: Pick<ManifestFile, 'scope' | 'within'> | null): Promise<void> {
	const scopes = file ? [file.scope, ...file.within].filter((s) => s !== 'it') : [];
	if (index && scopes.some((s) => indexedScopes.has(s))) return index;
	await ensureIndex();
	if (file && file.scope !== 'it') indexedScopes.add(file.scope);
}

/** Builds the territory index unless the extract is unchanged since it was built; drops stale slices. */
export function ensureIndex(): Promise<void> {
	return serial(async () => {
		const [{ n }] = await query('SELECT count(*) AS n FROM extract');
		if (index && n === rows) return index;
		rows = Number(n);
		for (const month of slices.keys()) await drop(month);
		slices.clear();
		const { sql, params } = territoryIndexQuery();
		index = query(sql, params).then(() => undefined);
		index.catch(() => (index = null));
		return index;
	});
}

async function drop(month: string): Promise<void> {
	lists.delete(month);
	await query(`DROP TABLE IF EXISTS ${monthTable(month)}`);
	await query(`DROP TABLE IF EXISTS ${monthTable(month, 'liste')}`);
}

/**
 * Makes the month slice of `month` (`YYYY-MM`) exist, with its suppression lists when
 * `withLists` (a category is compared); call `ensureIndex` first.
 */
export async function ensureMonth(month: string, withLists = false): Promise<void> {
	await slice(month);
	if (!withLists) return;
	let have = lists.get(month);
	if (!have) {
		const { sql, params } = monthListsQuery(month);
		have = serial(() => query(sql, params)).then(() => undefined);
		lists.set(month, have);
		have.catch(() => lists.delete(month));
	}
	return have;
}

/**
 * True when the month's slice (and its lists, with `withLists`) is built or being built. A month
 * without one is answered from `extract` directly: it is ordered by month, so the zone maps read
 * only that month's rows, and one query costs less than the slice build and a query on it (full
 * scale, Lombardia: 7 against 19 ms, best of 15); the slice follows in the background.
 */
export function hasMonth(month: string, withLists = false): boolean {
	return slices.has(month) && (!withLists || lists.has(month));
}

function slice(month: string): Promise<void> {
	const have = slices.get(month);
	if (have) {
		// Most recently used last.
		slices.delete(month);
		slices.set(month, have);
		return have;
	}
	const built = serial(async () => {
		const { sql, params } = monthSliceQuery(month);
		await query(sql, params);
		while (slices.size > MAX_SLICES) {
			const [oldest] = slices.keys();
			slices.delete(oldest);
			await drop(oldest);
		}
	});
	slices.set(month, built);
	built.catch(() => slices.delete(month));
	return built;
}
