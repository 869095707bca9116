/**
 * Reads the microdata files into one typed view `md` (file, row, and the schema's columns).
 * Structural faults (missing column, unparseable row, wrong encoding, wrong type) are
 * reported here with file, row and field; value checks are in validate.ts.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Db } from './db.ts';
import { sqlString } from './db.ts';
import { MICRODATA_COLUMNS } from './microdata-schema.ts';
import { InputError, type Problem } from './problems.ts';

/** The microdata files of a folder (or a single file): `*.parquet` and `*.csv`, sorted. */
export function listMicrodataFiles(path: string): string[] {
	if (!statSync(path, { throwIfNoEntry: false })) throw new InputError([{ kind: 'missing input', file: path, message: 'no such file or folder' }]);
	if (statSync(path).isFile()) return [path];
	const files = readdirSync(path)
		.filter((f) => /\.(parquet|csv)$/i.test(f))
		.sort()
		.map((f) => join(path, f));
	if (!files.length) throw new InputError([{ kind: 'missing input', file: path, message: 'no .parquet or .csv files' }]);
	return files;
}

const INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'HUGEINT']);
const NUMERIC_TYPES = new Set([...INTEGER_TYPES, 'DOUBLE', 'FLOAT']);

function typeOk(expected: string, actual: string): boolean {
	if (expected === 'DATE') return actual === 'DATE' || actual.startsWith('TIMESTAMP');
	if (expected === 'VARCHAR') return true;
	if (expected === 'DOUBLE') return NUMERIC_TYPES.has(actual) || actual.startsWith('DECIMAL');
	if (expected === 'BIGINT' && actual === 'VARCHAR') return true;
	return INTEGER_TYPES.has(actual);
}

/** Casts a CSV text column to the schema type; month accepts YYYY-MM and YYYY-MM-DD. */
function castCsv(name: string, type: string): string {
	const col = `"${name}"`;
	if (type === 'DATE') return `coalesce(try_strptime(${col}, '%Y-%m')::DATE, try_cast(${col} AS DATE))`;
	if (type === 'VARCHAR') return `nullif(${col}, '')`;
	return `try_cast(nullif(${col}, '') AS ${type})`;
}

// Names of the per-file CSV tables stay unique when a build reads twice.
let seq = 0;

/** SQL of a relation shaped like `md` over some of the files read (all of them by default). */
export type Scan = (files?: string[]) => string;

const PARQUET_COLS = MICRODATA_COLUMNS.map((c) => (c.type === 'DATE' ? `CAST(${c.name} AS DATE) AS ${c.name}` : `${c.name}`)).join(', ');

/**
 * Creates view `md` over all files; throws InputError on structural faults. Parquet files are
 * read by one multi-file scan (parallel across files), CSV files each through its own table.
 */
export async function readMicrodata(db: Db, files: string[]): Promise<Scan> {
	const problems: Problem[] = [];
	const csv = new Map<string, string>();
	const parquet: string[] = [];
	for (const file of files) {
		const k = seq++;
		const name = basename(file);
		const isCsv = /\.csv$/i.test(file);
		const src = isCsv
			? `read_csv(${sqlString(file)}, all_varchar=true, header=true, store_rejects=true, rejects_table='rej_${k}', rejects_scan='scan_${k}', auto_detect=true)`
			: `read_parquet(${sqlString(file)}, file_row_number=true)`;
		let described: { column_name: string; column_type: string }[];
		try {
			described = await db.all(`DESCRIBE SELECT * FROM ${src}`);
		} catch (e) {
			problems.push({ kind: 'unreadable file', file: name, message: (e as Error).message.split('\n')[0]! });
			continue;
		}
		const types = new Map(described.map((d) => [d.column_name, d.column_type]));
		const missing = MICRODATA_COLUMNS.filter((c) => !types.has(c.name)).map((c) => c.name);
		if (missing.length) {
			problems.push({ kind: 'missing column', file: name, field: missing.join(', '), message: `required column${missing.length > 1 ? 's' : ''} absent (found: ${[...types.keys()].filter((t) => t !== 'file_row_number').join(', ')})` });
			continue;
		}
		if (!isCsv) {
			const wrong = MICRODATA_COLUMNS.filter((c) => !typeOk(c.type, types.get(c.name)!));
			for (const c of wrong) problems.push({ kind: 'wrong column type', file: name, field: c.name, message: `${types.get(c.name)} (expected ${c.type})` });
			if (wrong.length) continue;
		}
		if (isCsv) {
			// Materialise once: the reader records unparseable lines and bad encoding as rejects.
			await db.run(`CREATE OR REPLACE TABLE csv_${k} AS SELECT row_number() OVER () + 1 AS "line", * FROM ${src}`);
			// one problem per line (a short line is reported once per missing column)
			const rejects = await db.all<{ line: bigint; column_name: string | null; error_type: string; error_message: string }>(
				`SELECT line, CASE WHEN count(*) = 1 THEN any_value(column_name) END AS column_name, arg_min(error_type, column_idx) AS error_type, arg_min(error_message, column_idx) AS error_message
				FROM rej_${k} GROUP BY line ORDER BY line`
			);
			for (const r of rejects) {
				const kind = r.error_type === 'INVALID ENCODING' ? 'wrong encoding' : 'unparseable row';
				problems.push({ kind, file: name, row: Number(r.line), field: r.column_name ?? undefined, message: r.error_message });
			}
			if (rejects.length) continue;
			const cols = MICRODATA_COLUMNS.map((c) => `${castCsv(c.name, c.type)} AS ${c.name}`).join(', ');
			const bad = MICRODATA_COLUMNS.map((c) => `CASE WHEN nullif("${c.name}", '') IS NOT NULL AND ${castCsv(c.name, c.type)} IS NULL THEN '${c.name}' END`).join(', ');
			const unparsable = await db.all<{ line: bigint; fields: string[]; raw: string }>(
				`SELECT "line", list_filter([${bad}], x -> x IS NOT NULL) AS fields FROM csv_${k} WHERE len(list_filter([${bad}], x -> x IS NOT NULL)) > 0 ORDER BY "line" LIMIT 20`
			);
			for (const u of unparsable) problems.push({ kind: 'unparseable value', file: name, row: Number(u.line), field: u.fields.join(', '), message: 'not a valid value of the column type' });
			csv.set(file, `SELECT ${sqlString(name)} AS file, "line" AS row, ${cols} FROM csv_${k}`);
		} else {
			parquet.push(file);
		}
	}
	if (problems.length) throw new InputError(problems);
	const scan: Scan = (subset = files) => {
		const pq = subset.filter((f) => parquet.includes(f));
		const selects = subset.filter((f) => csv.has(f)).map((f) => csv.get(f)!);
		if (pq.length)
			selects.push(
				`SELECT parse_filename(filename) AS file, file_row_number + 1 AS row, ${PARQUET_COLS}
				FROM read_parquet([${pq.map(sqlString).join(', ')}], filename = true, file_row_number = true, union_by_name = true)`
			);
		return selects.length ? selects.join('\nUNION ALL\n') : `SELECT * FROM md WHERE false`;
	};
	await db.run(`CREATE OR REPLACE VIEW md AS ${scan()}`);
	return scan;
}
