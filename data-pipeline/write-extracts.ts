/**
 * Writes the Parquet extracts of a version folder from the `extract` table (DESIGN.md
 * layout): italia.parquet, regione/RR, ats/CODE, comune/ISTAT. Every scoped file carries
 * the benchmark rows of its Regione and of Italia (the same rows as italia.parquet); a
 * Comune file never holds its ATS's rows. Rows sorted by territory_id, measure, month.
 *
 * One partitioned COPY per kind of file (one thread), from a table sorted once with every thread. DuckDB's
 * partitioned writer leaves a few files out of order whatever the thread count (measured at
 * 91 months: 114 of 3,606 Comune files with one thread, 112 with two), so the files are
 * checked and those are written again; verify.ts re-checks the order from the files.
 */
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EXTRACT_COLUMNS } from '../contracts/extract.ts';
import { listValue } from '@duckdb/node-api';
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
		// Sorted once, with every thread: the table keeps the order, and the COPYs scan it.
		await db.run(
			`CREATE OR REPLACE TEMP TABLE part_rows AS SELECT part, ${COLS}, tid, ms FROM (${kind.sql}) k
			${only ? `SEMI JOIN (SELECT DISTINCT substr(territory_id, 3) AS p FROM extract WHERE level = '${kind.dir}' ${only}) d ON d.p = k.part` : ''}
			ORDER BY part, ${ORDER}`
		);
		const counts = await db.all<{ part: string; n: bigint }>(`SELECT part, count(*) AS n FROM part_rows GROUP BY part ORDER BY part`);
		mkdirSync(join(dir, kind.dir), { recursive: true });
		await writeParts(db, dir, kind.dir, 'part_rows', counts.map((c) => c.part));
		for (const { part, n: rows } of counts) files.push({ path: `${kind.dir}/${part}.parquet`, scope: `${kind.prefix}${part}`, rows: Number(rows) });
		// The partitioned writer does not always keep the scan order inside a file (about 3% of
		// the Comune files, with one thread or two alike): those files are written again, in one
		// partitioned COPY while there are many, one COPY each for the last few.
		let unsorted = await unsortedParts(db, dir, kind.dir, counts.map((c) => c.part));
		for (let round = 0; unsorted.length > 0; round++) {
			await db.run(`CREATE OR REPLACE TEMP TABLE redo AS SELECT * FROM part_rows SEMI JOIN (SELECT unnest(?::VARCHAR[]) AS p) ON p = part ORDER BY part, ${ORDER}`, [listValue(unsorted)]);
			if (unsorted.length > 20 && round < 3) await writeParts(db, dir, kind.dir, 'redo', unsorted);
			else {
				await db.run('SET threads = 1');
				try {
					for (const part of unsorted) await db.run(`COPY (SELECT ${COLS} FROM redo WHERE part = ${sqlString(part)} ORDER BY ${ORDER}) TO ${sqlString(join(dir, kind.dir, `${part}.parquet`))} (${PARQUET})`);
				} finally {
					await db.run('RESET threads');
				}
			}
			unsorted = await unsortedParts(db, dir, kind.dir, unsorted);
			if (round > 5) throw new Error(`${kind.dir}: ${unsorted.length} files still unsorted after ${round + 1} rewrites`);
		}
	}
	return files;
}

/** One partitioned COPY of `table` (sorted by part) into `dir/sub/<part>.parquet`. */
async function writeParts(db: Db, dir: string, sub: string, table: string, parts: string[]): Promise<void> {
	const tmp = join(dir, `.${sub}-partitions`);
	// one thread: with two, the writer held too many partitions open (out of memory at 4.4 GB, 7,904 Comune files)
	await db.run('SET threads = 1');
	try {
		await db.run(`COPY (SELECT part, ${COLS} FROM ${table}) TO ${sqlString(tmp)} (${PARQUET}, PARTITION_BY (part), WRITE_PARTITION_COLUMNS false)`);
	} finally {
		await db.run('RESET threads');
	}
	for (const part of parts) {
		const written = readdirSync(join(tmp, `part=${part}`));
		if (written.length !== 1) throw new Error(`Expected one Parquet file for ${sub}/${part}, DuckDB wrote ${written.length}`);
		renameSync(join(tmp, `part=${part}`, written[0]!), join(dir, sub, `${part}.parquet`));
	}
	rmSync(tmp, { recursive: true, force: true });
}

/** The parts among `parts` whose file in `dir/sub` is not sorted by territory_id, measure, month. */
async function unsortedParts(db: Db, dir: string, sub: string, parts: string[]): Promise<string[]> {
	const names = parts.map((p) => sqlString(join(dir, sub, `${p}.parquet`))).join(', ');
	const rows = await db.all<{ part: string }>(
		`SELECT DISTINCT parse_filename(filename, true) AS part FROM (
			SELECT filename, (territory_id, measure, month) <= lag((territory_id, measure, month)) OVER (PARTITION BY filename ORDER BY file_row_number) AS bad
			FROM read_parquet([${names}], filename = true, file_row_number = true)) WHERE bad ORDER BY part`
	);
	return rows.map((r) => r.part);
}
