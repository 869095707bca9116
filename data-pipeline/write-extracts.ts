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
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EXTRACT_COLUMNS } from '../contracts/extract.ts';
import { extractPath } from '../contracts/summary.ts';
import { sqlString, type Db } from './db.ts';
import { NUMERIC, type FileJob, type Rows, type TerritoryMeta, type WrittenFile } from './extract-files.ts';

export type { WrittenFile } from './extract-files.ts';

const COLS = EXTRACT_COLUMNS.map((c) => c.name).join(', ');
// tid follows territory_id order and ms measure order: integer sort keys, same order.
const ORDER = 'tid, ms, month';
const PARQUET = `FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000`;

async function readRows(db: Db): Promise<Rows> {
	await db.run(
		`CREATE OR REPLACE TEMP TABLE flag_lists AS SELECT row_number() OVER (ORDER BY l) - 1 AS id, l FROM (SELECT DISTINCT soppressi_primari AS l FROM extract UNION SELECT DISTINCT soppressi_secondari FROM extract)`
	);
	const lists = await db.all<{ id: bigint; l: string[] | null }>(`SELECT id, l FROM flag_lists ORDER BY id`);
	const cols = await db.numbers(
		`SELECT tid, ms, month - DATE '1970-01-01' AS day, (year(month) - 2000) * 12 + month(month) - 1 AS mi, ${NUMERIC.join(', ')}, p.id AS lp, s.id AS ls
		FROM extract e LEFT JOIN flag_lists p ON p.l IS NOT DISTINCT FROM e.soppressi_primari LEFT JOIN flag_lists s ON s.l IS NOT DISTINCT FROM e.soppressi_secondari
		ORDER BY ${ORDER}`
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

/** Runs `jobs` in worker threads (one per core, ≤ 4, or PIPELINE_WRITE_WORKERS); results in the order of `jobs`. */
async function inWorkers(rows: Rows, dir: string, jobs: FileJob[]): Promise<WrittenFile[]> {
	const n = Math.max(1, Math.min(Number(process.env.PIPELINE_WRITE_WORKERS) || Math.min(availableParallelism(), 4), Math.ceil(jobs.length / 20)));
	// dealt round-robin: each worker gets Regione, ATS and Comune files alike
	const shares = Array.from({ length: n }, (_, w) => jobs.filter((_, k) => k % n === w));
	const results = await Promise.all(
		shares.map(
			(share) =>
				new Promise<WrittenFile[]>((resolve, reject) => {
					const worker = new Worker(new URL('./write-worker.ts', import.meta.url), { workerData: { rows, dir, jobs: share } });
					worker.once('message', resolve);
					worker.once('error', reject);
					worker.once('exit', (code) => (code !== 0 ? reject(new Error(`write worker exited with code ${code}`)) : undefined));
				})
		)
	);
	return jobs.map((_, k) => results[k % n]![Math.floor(k / n)]!);
}

/**
 * Writes every extract into `dir` (the staging version folder); returns the files written.
 * `detailRegions` limits the ATS and Comune files to those Regioni (the demo: fewer files).
 */
export async function writeExtracts(db: Db, dir: string, detailRegions?: string[]): Promise<WrittenFile[]> {
	for (const sub of ['regione', 'ats', 'comune']) mkdirSync(join(dir, sub), { recursive: true });
	await db.run(`COPY (SELECT ${COLS} FROM extract WHERE level IN ('italia', 'regione', 'provincia') ORDER BY ${ORDER}) TO ${sqlString(join(dir, 'italia.parquet'))} (${PARQUET})`);
	const [{ n }] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM extract WHERE level IN ('italia', 'regione', 'provincia')`);
	const rows = await readRows(db);
	return [{ path: 'italia.parquet', scope: 'it', rows: Number(n) }, ...(await inWorkers(rows, dir, plan(rows, detailRegions)))];
}
