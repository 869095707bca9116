/**
 * Writes the Parquet extracts of a version folder from the `extract` table (DESIGN.md
 * layout): italia.parquet, regione/RR, ats/CODE, comune/ISTAT. Every scoped file carries
 * the benchmark rows of its Regione and of Italia (the same rows as italia.parquet); a
 * Comune file never holds its ATS's rows.
 *
 * Row order (docs/extracts.md): italia.parquet, ATS and Comune files by territory_id, measure,
 * month; Regione files by month, measure, territory_id in row groups of 16,384 rows
 * (a month's rows are contiguous: the app reads a month of a Regione from one row group or
 * two). italia.parquet is one DuckDB COPY. The ~8,500 scoped files are encoded by
 * parquet-writer.ts in worker threads from the rows read once into shared typed arrays
 * (decision 0023: DuckDB's partitioned COPY cost ≈ 1 ms per file and ≈ 3.5 µs per row on
 * one thread, and did not always keep the order). Each file is hashed from the bytes written.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXTRACT_COLUMNS } from '../contracts/extract.ts';
import { extractPath } from '../contracts/summary.ts';
import { sqlString, type Db } from './db.ts';
import { traceMarks } from './log.ts';
import { dayOfMonth } from './months.ts';
import { inJobOrder, inWorkerThreads } from './workers.ts';
import { IncrementalMismatch, keptGroups, MONTH_FIRST_ROW_GROUP, NUMERIC, type FileJob, type Layout, type Rows, type TerritoryMeta, type WrittenFile } from './extract-files.ts';

export type { WrittenFile } from './extract-files.ts';

const COLS = EXTRACT_COLUMNS.map((c) => c.name).join(', ');
// tid follows territory_id order and ms measure order: integer sort keys, same order.
const ORDER = 'tid, ms, month';
const PARQUET = `FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000`;

/** The extract rows (from `fromDay` on, when given) in typed arrays. */
async function readRows(db: Db, fromDay?: number): Promise<Rows> {
	const since = fromDay === undefined ? '' : `WHERE month >= DATE '1970-01-01' + ${Math.trunc(fromDay)}`;
	await db.run(
		`CREATE OR REPLACE TEMP TABLE flag_lists AS SELECT row_number() OVER (ORDER BY l) - 1 AS id, l FROM (SELECT DISTINCT soppressi_primari AS l FROM extract UNION SELECT DISTINCT soppressi_secondari FROM extract)`
	);
	const lists = await db.all<{ id: bigint; l: string[] | null }>(`SELECT id, l FROM flag_lists ORDER BY id`);
	const cols = await db.numbers(
		`SELECT tid, ms, month - DATE '1970-01-01' AS day, (year(month) - 2000) * 12 + month(month) - 1 AS mi, ${NUMERIC.join(', ')}, p.id AS lp, s.id AS ls
		FROM extract e LEFT JOIN flag_lists p ON p.l IS NOT DISTINCT FROM e.soppressi_primari LEFT JOIN flag_lists s ON s.l IS NOT DISTINCT FROM e.soppressi_secondari
		${since} ORDER BY ${ORDER}`
	);
	const [tid, ms, day, mi] = cols as [Float64Array, Float64Array, Float64Array, Float64Array];
	const meta = await db.all<{ tid: number; territory_id: string; level: string; name: string; parent_id: string | null; region: string }>(
		`SELECT DISTINCT tid, territory_id, level, name, parent_id, region FROM extract ORDER BY tid`
	);
	const territories = new Map<number, TerritoryMeta>(
		meta.map((t) => [Number(t.tid), { tid: Number(t.tid), id: t.territory_id, level: t.level, name: t.name, parent: t.parent_id, region: t.region, start: 0, end: 0 }])
	);
	for (let i = 0; i < tid.length; i++) {
		const t = territories.get(tid[i]!)!;
		if (i === 0 || tid[i - 1] !== tid[i]) t.start = i;
		t.end = i + 1;
	}
	return {
		fromDay,
		tid,
		ms,
		day,
		mi,
		numeric: Object.fromEntries(NUMERIC.map((c, k) => [c, cols[4 + k]!])),
		primari: cols[4 + NUMERIC.length]!,
		secondari: cols[5 + NUMERIC.length]!,
		lists: lists.map((l) => l.l),
		territories: [...territories.values()]
	};
}

/** The scoped files to write: every Regione; ATS and Comuni of `detailRegions` (default all). */
function plan(rows: Rows, detailRegions?: string[]): FileJob[] {
	const byId = new Map(rows.territories.map((t) => [t.id, t.tid]));
	const it = byId.get('it')!;
	const inRegion = new Map<string, number[]>();
	const children = new Map<string, number[]>();
	const add = (m: Map<string, number[]>, key: string, tid: number) => {
		const list = m.get(key);
		if (list) list.push(tid);
		else m.set(key, [tid]);
	};
	for (const t of rows.territories) {
		if (['regione', 'ats', 'comune'].includes(t.level)) add(inRegion, t.region, t.tid);
		if (t.level === 'comune') add(children, t.parent!, t.tid);
	}
	const detail = (region: string) => !detailRegions || detailRegions.includes(region);
	const jobs: FileJob[] = [];
	for (const level of ['regione', 'ats', 'comune'])
		for (const t of rows.territories) {
			if (t.level !== level || (level !== 'regione' && !detail(t.region))) continue;
			const path = extractPath(t.id)!;
			const region = byId.get(`r:${t.region}`)!;
			if (level === 'regione') jobs.push({ path, scope: t.id, tids: [...inRegion.get(t.region)!, it], monthFirst: true });
			else if (level === 'ats') jobs.push({ path, scope: t.id, tids: [t.tid, ...(children.get(t.id) ?? []), region, it], monthFirst: false });
			else jobs.push({ path, scope: t.id, tids: [t.tid, region, it], monthFirst: false });
		}
	return jobs;
}

/** Writes the scoped files in worker threads (PIPELINE_WRITE_WORKERS); results in the order of `jobs`. */
async function inWorkers(rows: Rows, dir: string, jobs: FileJob[], layout: Layout): Promise<WrittenFile[]> {
	const results = await inWorkerThreads<FileJob, WrittenFile[]>(new URL('./write-worker.ts', import.meta.url), jobs, (share) => ({ rows, dir, jobs: share, layout }), 'PIPELINE_WRITE_WORKERS');
	return inJobOrder(results, jobs.length);
}

export interface WriteOptions {
	/** Limits the ATS and Comune files to those Regioni (the demo: fewer files). */
	detailRegions?: string[];
	/**
	 * The previous version's folder: each file keeps the row groups it had there before the new
	 * months (the caller checked that only months were added, in the same year). Throws
	 * IncrementalMismatch when a previous file does not have the layout's row groups.
	 */
	previous?: string;
	/** With `previous`: its `incrementalFromDay`, when the caller has read it already. */
	fromDay?: number;
	/** Rows per Regione row group (default MONTH_FIRST_ROW_GROUP; tests use fewer). */
	groupRows?: number;
}

/**
 * Work for the main thread while the worker threads write (the summaries, the boundaries): it
 * gets the files planned (rows not yet known) and the first day written again, as the result
 * will have them. On this 2-core machine the main thread was otherwise idle during the write.
 */
export type Alongside<A> = (planned: WrittenFile[], fromDay: number | undefined) => Promise<A>;

export interface WrittenExtracts<A = undefined> {
	/** What `alongside` returned. */
	alongside?: A;
	files: WrittenFile[];
	layout: Layout;
	/** Set when the files were written from the previous version's: the first day written again. */
	fromDay?: number;
}

/** The layout of a version whose last month is `last` (YYYY-MM-DD). */
export function layoutOf(last: string, groupRows = MONTH_FIRST_ROW_GROUP): Layout {
	return { cutDay: dayOfMonth(`${last.slice(0, 4)}-01`), groupRows };
}

/**
 * The first day a write from the previous version's folder `previous` writes again: the
 * year's for ATS and Comune files, each Regione file's last row group's (the earliest).
 * Throws IncrementalMismatch when the previous files do not have the layout's row groups.
 */
export function incrementalFromDay(previous: string, layout: Layout): number {
	const regioni = join(previous, 'regione');
	if (!existsSync(regioni)) throw new IncrementalMismatch('no Regione files in the previous version');
	let fromDay = layout.cutDay;
	for (const f of readdirSync(regioni)) fromDay = Math.min(fromDay, keptGroups(readFileSync(join(regioni, f)), true, layout.cutDay).fromDay);
	return fromDay;
}

/**
 * Writes every extract into `dir` (the staging version folder); returns the files written.
 * With `previous`, the table may hold only the rows from `incrementalFromDay` on, besides every
 * row of Italia, the Regioni and the Province (italia.parquet is written whole).
 */
export async function writeExtracts<A = undefined>(db: Db, dir: string, opts: WriteOptions & { alongside?: Alongside<A> } = {}): Promise<WrittenExtracts<A>> {
	const mark = traceMarks('write');
	for (const sub of ['regione', 'ats', 'comune']) mkdirSync(join(dir, sub), { recursive: true });
	await db.run(`COPY (SELECT ${COLS} FROM extract WHERE level IN ('italia', 'regione', 'provincia') ORDER BY ${ORDER}) TO ${sqlString(join(dir, 'italia.parquet'))} (${PARQUET})`);
	const [{ n, last }] = await db.all<{ n: bigint; last: string }>(
		`SELECT count(*) FILTER (WHERE level IN ('italia', 'regione', 'provincia')) AS n, strftime(max(month), '%Y-%m-%d') AS last FROM extract`
	);
	const layout = layoutOf(last, opts.groupRows);
	// an incremental write reads the rows from the first month a file writes again: the
	// year's for ATS and Comune files, each Regione file's last row group's
	const fromDay = opts.previous ? (opts.fromDay ?? incrementalFromDay(opts.previous, layout)) : undefined;
	mark('italia.parquet, previous Regione footers');
	const rows = await readRows(db, fromDay);
	mark(`${rows.tid.length} rows read`);
	const jobs = plan(rows, opts.detailRegions);
	if (opts.previous)
		for (const job of jobs) {
			job.previous = join(opts.previous, job.path);
			if (!existsSync(job.previous)) throw new IncrementalMismatch(`${job.path} is not in the previous version`);
		}
	const italia: WrittenFile = { path: 'italia.parquet', scope: 'it', rows: Number(n) };
	const writing = inWorkers(rows, dir, jobs, layout);
	// (a failed write still waits for the work alongside, so that the caller may clear the folder)
	const [files, alongside] = await Promise.allSettled([writing, opts.alongside?.([italia, ...jobs.map((j) => ({ path: j.path, scope: j.scope, rows: 0 }))], fromDay)]);
	if (files.status === 'rejected') throw files.reason;
	if (alongside.status === 'rejected') throw alongside.reason;
	mark(`${files.value.length} files written`);
	return { files: [italia, ...files.value], layout, fromDay, alongside: alongside.value };
}
