/**
 * Sorting and searching for comparison tables. Suppressed or missing values (null) always
 * sort after every number, whatever the direction: a suppressed cell is "< 3", not 0.
 */
import { firstK } from '../first-k.ts';

/** One compared territory; `state` tells a suppressed value ("riservato") from a missing one. */
export interface ComparisonRow {
	id: string;
	name: string;
	residenti: number | null;
	value: number | null;
	rate: number | null;
	state: 'ok' | 'riservato' | 'assente' | 'non_pubblicato';
}

export type SortDir = 'asc' | 'desc';

/** A sort instruction: the column key and its direction. */
export interface SortSpec {
	key: string;
	dir: SortDir;
}

/** Compares two cells; numbers and strings by value (Italian collation), nulls last in both directions. */
export function compareCells(a: number | string | null | undefined, b: number | string | null | undefined, dir: SortDir): number {
	const aNull = a === null || a === undefined || (typeof a === 'number' && Number.isNaN(a));
	const bNull = b === null || b === undefined || (typeof b === 'number' && Number.isNaN(b));
	if (aNull || bNull) return aNull === bNull ? 0 : aNull ? 1 : -1;
	const order =
		typeof a === 'number' && typeof b === 'number' ? a - b : collator.compare(String(a), String(b));
	return dir === 'asc' ? order : -order;
}

const collator = new Intl.Collator('it', { sensitivity: 'base', numeric: true });

/**
 * The row order for `column` (values by row index) and direction, as an index array; ties
 * keep the order of `tiebreak` (names) when given, else the row order (Confronto's rows come
 * sorted by name, so integer ties cost nothing), so the order is stable across queries.
 */
export function sortOrder(
	column: ArrayLike<number | string | null>,
	dir: SortDir,
	tiebreak?: ArrayLike<string>
): number[] {
	const idx = Array.from({ length: column.length }, (_, i) => i);
	return idx.sort(
		(i, j) =>
			compareCells(column[i], column[j], dir) ||
			(tiebreak ? collator.compare(tiebreak[i], tiebreak[j]) : 0) ||
			i - j
	);
}

/**
 * The first `k` indices of `sortOrder(column, dir)` (no tiebreak: ties keep the row order), among
 * `among` (row indices in row order) when given: a table showing its first rows does not sort
 * the rest (first-k.ts).
 */
export function sortedPrefix(column: ArrayLike<number | string | null>, dir: SortDir, k: number, among?: readonly number[]): number[] {
	const rows = among ?? Array.from({ length: column.length }, (_, i) => i);
	return firstK(rows, (i, j) => compareCells(column[i], column[j], dir) || i - j, k);
}

/** The indices of the rows whose name contains the query (row order); null for an empty query (every row). */
export function matchingRows(rows: readonly { name: string }[], query: string): number[] | null {
	if (!normalizeSearch(query)) return null;
	return filterOrder(Array.from({ length: rows.length }, (_, i) => i), rows.map((r) => r.name), query);
}

/** The column a sort key sorts on: `nome` (names), else residents, value or rate. */
export function sortColumn(rows: readonly ComparisonRow[], key: string): (number | string | null)[] {
	if (key === 'nome') return rows.map((r) => r.name);
	if (key === 'residenti') return rows.map((r) => r.residenti);
	return key === 'tasso' ? rows.map((r) => r.rate) : rows.map((r) => r.value);
}

/** The indices of `names` in Italian alphabetical order (accents and case ignored, numbers by value). */
export function nameOrder(names: ArrayLike<string>): number[] {
	const idx = Array.from({ length: names.length }, (_, i) => i);
	return idx.sort((i, j) => collator.compare(names[i], names[j]) || i - j);
}

/** Lower case without accents, so "forli" finds "Forlì". */
export function normalizeSearch(text: string): string {
	return text.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase().trim();
}

/** Keeps the indices (in their order) whose name contains the query; an empty query keeps all. */
export function filterOrder(order: readonly number[], names: ArrayLike<string>, query: string): number[] {
	const q = normalizeSearch(query);
	if (!q) return [...order];
	return order.filter((i) => normalizeSearch(names[i]).includes(q));
}

/** Parses `key:dir` (the URL form); anything malformed falls back to `fallback`. */
export function parseSort(value: string | null | undefined, keys: readonly string[], fallback: SortSpec): SortSpec {
	const [key, dir] = (value ?? '').split(':');
	if (keys.includes(key) && (dir === 'asc' || dir === 'desc')) return { key, dir };
	return fallback;
}

/** The URL form of a sort spec. */
export function formatSort(spec: SortSpec): string {
	return `${spec.key}:${spec.dir}`;
}

/** The direction a click on a header gives: flips the current column, starts a new one descending for numbers. */
export function nextSort(current: SortSpec, key: string, numeric: boolean): SortSpec {
	if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
	return { key, dir: numeric ? 'desc' : 'asc' };
}

/** The `aria-sort` value of a header. */
export function ariaSort(current: SortSpec, key: string): 'ascending' | 'descending' | 'none' {
	if (current.key !== key) return 'none';
	return current.dir === 'asc' ? 'ascending' : 'descending';
}
