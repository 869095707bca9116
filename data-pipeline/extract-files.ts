/**
 * One scoped extract file from the rows in typed arrays (write-extracts.ts reads them once
 * from DuckDB; write-worker.ts runs this in worker threads). The rows of a file are whole
 * territories: by territory (tid ascending, each by measure, month) or month first (month,
 * measure, tid) in row groups.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXTRACT_COLUMNS, MEASURES } from '../contracts/extract.ts';
import { encodeParquet, plainString, type ColumnValues } from './parquet-writer.ts';

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

/** Every extract row in typed arrays (SharedArrayBuffer), sorted by tid, ms, month. */
export interface Rows {
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

/** Writes the files of `jobs` into `dir`. */
export function writeFiles(rows: Rows, dir: string, jobs: FileJob[]): WrittenFile[] {
	const byTid = new Map(rows.territories.map((t) => [t.tid, t]));
	// by tid (small dense integers): an array lookup per row and column, not a Map's
	const cells: (Buffer | null)[][] = [];
	for (const t of rows.territories) cells[t.tid] = [t.id, t.level, t.name, t.parent].map((v) => (v === null ? null : plainString(v)));
	const rowsOf = (job: FileJob): Int32Array => {
		const tids = [...job.tids].sort((a, b) => a - b);
		let n = 0;
		for (const t of tids) n += byTid.get(t)!.end - byTid.get(t)!.start;
		const idx = new Int32Array(n);
		let o = 0;
		for (const t of tids) for (let i = byTid.get(t)!.start; i < byTid.get(t)!.end; i++) idx[o++] = i;
		if (!job.monthFirst) return idx;
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
		const idx = rowsOf(job);
		const size = job.monthFirst ? MONTH_FIRST_ROW_GROUP : Math.max(1, idx.length);
		const groups = [];
		for (let s = 0; s === 0 || s < idx.length; s += size) {
			const part = idx.subarray(s, Math.min(idx.length, s + size));
			groups.push({ rows: part.length, column: columnsOf(part) });
		}
		const { bytes } = encodeParquet(EXTRACT_COLUMNS, groups);
		writeFileSync(join(dir, job.path), bytes);
		return { path: job.path, scope: job.scope, rows: idx.length, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
	});
}
