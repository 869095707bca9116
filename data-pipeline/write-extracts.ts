/**
 * Writes the Parquet extracts of a version folder from the `extract` table (DESIGN.md
 * layout): italia.parquet, regione/RR, ats/CODE, comune/ISTAT. Every scoped file carries
 * the benchmark rows of its Regione and of Italia (the same rows as italia.parquet); a
 * Comune file never holds its ATS's rows. Rows sorted by territory_id, measure, month.
 *
 * One partitioned COPY per kind of file: DuckDB keeps each partition's rows in input order
 * only single-threaded (measured: 8,000 partitions, 4M rows; a pre-sorted table scanned
 * with one thread still gave unsorted files once), so the sort and the COPY run as one
 * statement with one thread; verify.ts re-checks the order from the files.
 */
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EXTRACT_COLUMNS } from '../contracts/extract.ts';
import { sqlString, type Db } from './db.ts';

export interface WrittenFile {
	/** Relative to the version folder, e.g. `ats/X15001.parquet`. */
	path: string;
	scope: string;
	rows: number;
}

const COLS = EXTRACT_COLUMNS.map((c) => c.name).join(', ');
// tid follows territory_id order and ms measure order: integer sort keys, same order.
const ORDER = 'tid, ms, month';
const E = EXTRACT_COLUMNS.map((c) => `e.${c.name}`).join(', ');
const PARQUET = `FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000`;

/** The rows of each kind of file: a `part` column (the file's code) and `pk` (its integer order). */
const KINDS: { dir: string; prefix: string; sql: string }[] = [
	{
		dir: 'regione',
		prefix: 'r:',
		sql: `SELECT region AS part, ${COLS}, tid, ms FROM extract WHERE level IN ('regione', 'ats', 'comune')
			UNION ALL SELECT r.region, ${E}, e.tid, e.ms FROM (SELECT DISTINCT region FROM extract WHERE level = 'regione') r CROSS JOIN bench e WHERE e.level = 'italia'`
	},
	{
		dir: 'ats',
		prefix: 'a:',
		sql: `SELECT substr(territory_id, 3) AS part, ${COLS}, tid, ms FROM extract WHERE level = 'ats'
			UNION ALL SELECT substr(parent_id, 3), ${COLS}, tid, ms FROM extract WHERE level = 'comune'
			UNION ALL SELECT substr(a.territory_id, 3), ${E}, e.tid, e.ms FROM (SELECT DISTINCT territory_id, parent_id FROM extract WHERE level = 'ats') a JOIN bench e ON e.territory_id = a.parent_id
			UNION ALL SELECT substr(a.territory_id, 3), ${E}, e.tid, e.ms FROM (SELECT DISTINCT territory_id FROM extract WHERE level = 'ats') a CROSS JOIN bench e WHERE e.level = 'italia'`
	},
	{
		dir: 'comune',
		prefix: 'c:',
		sql: `SELECT substr(territory_id, 3) AS part, ${COLS}, tid, ms FROM extract WHERE level = 'comune'
			UNION ALL SELECT substr(c.territory_id, 3), ${E}, e.tid, e.ms FROM (SELECT DISTINCT territory_id, 'r:' || region AS reg FROM extract WHERE level = 'comune') c JOIN bench e ON e.territory_id = c.reg
			UNION ALL SELECT substr(c.territory_id, 3), ${E}, e.tid, e.ms FROM (SELECT DISTINCT territory_id FROM extract WHERE level = 'comune') c CROSS JOIN bench e WHERE e.level = 'italia'`
	}
];

/**
 * Writes every extract into `dir` (the staging version folder); returns the files written.
 * `detailRegions` limits the ATS and Comune files to those Regioni (the demo: fewer files).
 */
export async function writeExtracts(db: Db, dir: string, detailRegions?: string[]): Promise<WrittenFile[]> {
	mkdirSync(dir, { recursive: true });
	const files: WrittenFile[] = [];
	await db.run(`COPY (SELECT ${COLS} FROM extract WHERE level IN ('italia', 'regione', 'provincia') ORDER BY ${ORDER}) TO ${sqlString(join(dir, 'italia.parquet'))} (${PARQUET})`);
	const [{ n }] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM extract WHERE level IN ('italia', 'regione', 'provincia')`);
	files.push({ path: 'italia.parquet', scope: 'it', rows: Number(n) });
	await db.run(`CREATE OR REPLACE TEMP TABLE bench AS SELECT * FROM extract WHERE level IN ('italia', 'regione')`);
	for (const kind of KINDS) {
		const only = detailRegions && kind.dir !== 'regione' ? `AND region IN (${detailRegions.map(sqlString).join(', ')})` : '';
		await db.run(
			`CREATE OR REPLACE TEMP TABLE part_rows AS SELECT part, ${COLS}, tid, ms FROM (${kind.sql}) k
			${only ? `SEMI JOIN (SELECT DISTINCT substr(territory_id, 3) AS p FROM extract WHERE level = '${kind.dir}' ${only}) d ON d.p = k.part` : ''}`
		);
		const counts = await db.all<{ part: string; n: bigint }>(`SELECT part, count(*) AS n FROM part_rows GROUP BY part ORDER BY part`);
		const tmp = join(dir, `.${kind.dir}-partitions`);
		await db.run(`SET threads = 1`);
		try {
			// the sort feeds the single-threaded partitioned writer directly, so each file gets its rows in order
			await db.run(`COPY (SELECT part, ${COLS} FROM part_rows ORDER BY part, ${ORDER}) TO ${sqlString(tmp)} (${PARQUET}, PARTITION_BY (part), WRITE_PARTITION_COLUMNS false)`);
		} finally {
			await db.run(`RESET threads`);
		}
		mkdirSync(join(dir, kind.dir), { recursive: true });
		for (const { part, n: rows } of counts) {
			const written = readdirSync(join(tmp, `part=${part}`));
			if (written.length !== 1) throw new Error(`Expected one Parquet file for ${kind.dir}/${part}, DuckDB wrote ${written.length}`);
			renameSync(join(tmp, `part=${part}`, written[0]!), join(dir, kind.dir, `${part}.parquet`));
			files.push({ path: `${kind.dir}/${part}.parquet`, scope: `${kind.prefix}${part}`, rows: Number(rows) });
		}
		rmSync(tmp, { recursive: true, force: true });
		// The partitioned writer does not always keep the input order inside a file (seen with
		// ~700 partitions: a few files split a run of rows): rewrite those files one by one.
		const names = counts.map(({ part }) => sqlString(join(dir, kind.dir, `${part}.parquet`))).join(', ');
		const unsorted = await db.all<{ part: string }>(
			`SELECT DISTINCT parse_filename(filename, true) AS part FROM (
				SELECT filename, (territory_id, measure, month) <= lag((territory_id, measure, month)) OVER (PARTITION BY filename ORDER BY file_row_number) AS bad
				FROM read_parquet([${names}], filename = true, file_row_number = true)) WHERE bad`
		);
		for (const { part } of unsorted) {
			await db.run(`COPY (SELECT ${COLS} FROM part_rows WHERE part = ${sqlString(part)} ORDER BY ${ORDER}) TO ${sqlString(join(dir, kind.dir, `${part}.parquet`))} (${PARQUET})`);
		}
	}
	return files;
}
