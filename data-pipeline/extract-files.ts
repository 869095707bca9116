/**
 * One scoped extract file from the rows in typed arrays (write-extracts.ts reads them once
 * from DuckDB; write-worker.ts runs this in worker threads). The rows of a file are whole
 * territories: by territory (tid ascending, each by measure, month) or month first (month,
 * measure, tid) in row groups.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXTRACT_COLUMNS, MEASURES } from '../contracts/extract.ts';
import { footerOf, rowGroupsOfFooter, type RowGroupInfo } from './parquet-footer.ts';
import { encodeParquet, plainString, type ColumnValues, type KeptRowGroups } from './parquet-writer.ts';

/** The measures in the order of their names: the extract table's `ms` is the 1-based position here. */
export const MEASURE_ORDER: readonly string[] = [...MEASURES].sort();
/** Columns held per territory (not per row), in this order in `TerritoryMeta.cells`. */
export const TERRITORY_COLUMNS = ['territory_id', 'level', 'name', 'parent_id'];
/** The per-row numeric columns read from DuckDB (month is `day`, measure is `ms`). */
export const NUMERIC = EXTRACT_COLUMNS.filter((c) => !TERRITORY_COLUMNS.includes(c.name) && c.name !== 'month' && c.name !== 'measure' && c.type !== 'VARCHAR[]').map((c) => c.name);

export interface TerritoryMeta {
	tid: number;
	id: string;
	level: string;
	name: string;
	parent: string | null;
	region: string;
	/** Rows [start, end) of the territory in the row arrays (sorted by ms, month). */
	start: number;
	end: number;
}

/** Every extract row (from `fromDay` on, when set) in typed arrays (SharedArrayBuffer), sorted by tid, ms, month. */
export interface Rows {
	/** Set when the rows start at this day (an incremental write): earlier months are not here. */
	fromDay?: number;
	tid: Float64Array;
	ms: Float64Array;
	/** Days since 1970-01-01 (the Parquet DATE). */
	day: Float64Array;
	/** Months since 2000-01, for the month-first sort key. */
	mi: Float64Array;
	numeric: Record<string, Float64Array>;
	primari: Float64Array;
	secondari: Float64Array;
	/** The distinct flag lists, by the ids in `primari`/`secondari`. */
	lists: (string[] | null)[];
	territories: TerritoryMeta[];
}

export interface FileJob {
	path: string;
	scope: string;
	tids: number[];
	monthFirst: boolean;
	/** The same file in the previous version: its row groups before the new months are copied. */
	previous?: string;
}

/**
 * Where the row groups break (docs/extracts.md). Territory-first files (ATS, Comune): the
 * months before `cutDay` (1 January of the last month's year), then the months from it.
 * Month-first files (Regione): whole months, as many as fit in `groupRows` rows, and a new
 * group at `cutDay` (a small Regione's file is then two groups, not one spanning every month).
 * Adding a month of the same year then leaves every earlier row group as it was.
 */
export interface Layout {
	cutDay: number;
	groupRows: number;
}

/** The row groups of a previous file that a new version keeps, and the first day it writes again. */
export interface Kept extends KeptRowGroups {
	fromDay: number;
}

/** The layout's row groups stopped fitting (another year, another order): the caller writes the whole version. */
export class IncrementalMismatch extends Error {}

/**
 * The row groups of `bytes` (the previous version's file) that the same file gets in the
 * next version: month-first files keep all but their last group; territory-first files keep
 * the groups before `cutDay`.
 */
export function keptGroups(bytes: Buffer, monthFirst: boolean, cutDay: number): Kept {
	const { groups } = rowGroupsOfFooter(footerOf(bytes));
	if (groups.some((g) => !g.months)) throw new IncrementalMismatch('a row group without month statistics');
	let n = monthFirst ? groups.length - 1 : groups.findIndex((g) => g.months!.min >= cutDay);
	if (n < 0) n = groups.length;
	const fromDay = monthFirst ? (groups[n]?.months!.min ?? cutDay) : cutDay;
	const kept: RowGroupInfo[] = groups.slice(0, n);
	if (kept.some((g) => g.months!.max >= fromDay)) throw new IncrementalMismatch('a row group across the months written again');
	let end = 4;
	for (const g of kept) {
		if (g.start !== end || g.bytes < 0) throw new IncrementalMismatch('row groups not contiguous');
		end = g.start + g.bytes;
	}
	return { bytes: bytes.subarray(0, end), groups: kept.map((g) => g.raw), rows: kept.reduce((s, g) => s + g.rows, 0), fromDay };
}

export interface WrittenFile {
	/** Relative to the version folder, e.g. `ats/X15001.parquet`. */
	path: string;
	scope: string;
	rows: number;
	/** Size and sha256 of the bytes written, when the writer hashed them (else describeFiles reads the file). */
	bytes?: number;
	sha256?: string;
}

export const MONTH_FIRST_ROW_GROUP = 16384;
const MEASURE_CELLS = MEASURE_ORDER.map(plainString);

/** Row groups of `idx` (in file order): [start, end) pairs, empty groups left out. */
function groupsOf(rows: Rows, idx: Int32Array, monthFirst: boolean, layout: Layout): [number, number][] {
	const out: [number, number][] = [];
	if (!monthFirst) {
		let k = 0;
		while (k < idx.length && rows.day[idx[k]!]! < layout.cutDay) k++;
		if (k > 0) out.push([0, k]);
		if (k < idx.length || !out.length) out.push([k, idx.length]);
		return out;
	}
	let start = 0;
	for (let i = 0; i < idx.length; ) {
		let j = i;
		while (j < idx.length && rows.mi[idx[j]!] === rows.mi[idx[i]!]) j++;
		// a group never spans 1 January of the last month's year, nor more than groupRows rows (unless one month does)
		const newYear = rows.day[idx[i]!]! >= layout.cutDay && rows.day[idx[start]!]! < layout.cutDay;
		if ((j - start > layout.groupRows || newYear) && i > start) {
			out.push([start, i]);
			start = i;
		}
		i = j;
	}
	if (idx.length > start || !out.length) out.push([start, idx.length]);
	return out;
}

/** Writes the files of `jobs` into `dir`. */
export function writeFiles(rows: Rows, dir: string, jobs: FileJob[], layout: Layout): WrittenFile[] {
	const byTid = new Map(rows.territories.map((t) => [t.tid, t]));
	// by tid (small dense integers): an array lookup per row and column, not a Map's
	const cells: (Buffer | null)[][] = [];
	for (const t of rows.territories) cells[t.tid] = [t.id, t.level, t.name, t.parent].map((v) => (v === null ? null : plainString(v)));
	const rowsOf = (job: FileJob, fromDay: number): Int32Array => {
		const tids = [...job.tids].sort((a, b) => a - b);
		let n = 0;
		for (const t of tids) for (let i = byTid.get(t)!.start; i < byTid.get(t)!.end; i++) if (rows.day[i]! >= fromDay) n++;
		const idx = new Int32Array(n);
		let o = 0;
		// territory-first: the months before the cut, then the others, each by tid, measure, month
		if (!job.monthFirst) {
			for (const before of [true, false])
				for (const t of tids) for (let i = byTid.get(t)!.start; i < byTid.get(t)!.end; i++) if (rows.day[i]! >= fromDay && rows.day[i]! < layout.cutDay === before) idx[o++] = i;
			return idx;
		}
		for (const t of tids) for (let i = byTid.get(t)!.start; i < byTid.get(t)!.end; i++) if (rows.day[i]! >= fromDay) idx[o++] = i;
		// month first: a counting sort by (month, measure); within a bucket, tids stay ascending
		let lo = Infinity;
		let hi = -Infinity;
		for (let i = 0; i < n; i++) {
			const b = rows.mi[idx[i]!]! * 8 + rows.ms[idx[i]!]!;
			if (b < lo) lo = b;
			if (b > hi) hi = b;
		}
		const starts = new Int32Array(hi - lo + 2);
		for (let i = 0; i < n; i++) starts[rows.mi[idx[i]!]! * 8 + rows.ms[idx[i]!]! - lo + 1]!++;
		for (let b = 1; b < starts.length; b++) starts[b]! += starts[b - 1]!;
		const out = new Int32Array(n);
		for (let i = 0; i < n; i++) out[starts[rows.mi[idx[i]!]! * 8 + rows.ms[idx[i]!]! - lo]!++] = idx[i]!;
		return out;
	};
	const columnsOf =
		(idx: Int32Array) =>
		(k: number): ColumnValues => {
			const name = EXTRACT_COLUMNS[k]!.name;
			const n = idx.length;
			const at = TERRITORY_COLUMNS.indexOf(name);
			if (at >= 0) {
				const out: (Buffer | null)[] = new Array(n);
				for (let i = 0; i < n; i++) out[i] = cells[rows.tid[idx[i]!]!]![at]!;
				return out;
			}
			if (name === 'measure') {
				const out: Buffer[] = new Array(n);
				for (let i = 0; i < n; i++) out[i] = MEASURE_CELLS[rows.ms[idx[i]!]! - 1]!;
				return out;
			}
			if (name === 'soppressi_primari' || name === 'soppressi_secondari') {
				const ids = name === 'soppressi_primari' ? rows.primari : rows.secondari;
				const out: (string[] | null)[] = new Array(n);
				for (let i = 0; i < n; i++) out[i] = rows.lists[ids[idx[i]!]!]!;
				return out;
			}
			const src = name === 'month' ? rows.day : rows.numeric[name]!;
			const out = new Float64Array(n);
			for (let i = 0; i < n; i++) out[i] = src[idx[i]!]!;
			return out;
		};
	return jobs.map((job) => {
		const kept = job.previous ? keptGroups(readFileSync(job.previous), job.monthFirst, layout.cutDay) : undefined;
		const fromDay = kept?.fromDay ?? -Infinity;
		if (rows.fromDay !== undefined && fromDay < rows.fromDay) throw new Error(`${job.path}: rows from day ${fromDay} needed, read from ${rows.fromDay}`);
		const idx = rowsOf(job, fromDay);
		const groups = groupsOf(rows, idx, job.monthFirst, layout).map(([s, e]) => ({ rows: e - s, column: columnsOf(idx.subarray(s, e)) }));
		const { bytes, rows: count } = encodeParquet(EXTRACT_COLUMNS, groups, kept);
		writeFileSync(join(dir, job.path), bytes);
		return { path: job.path, scope: job.scope, rows: count, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
	});
}
