/** A thin seam over @duckdb/node-api: open an in-memory database, run SQL with parameters. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { DuckDBDoubleVector, DuckDBInstance, type DuckDBConnection, type DuckDBValue, type DuckDBVector } from '@duckdb/node-api';

/**
 * DuckDB's own default is 80% of RAM: at national scale the generator grew past 13 GB on a
 * shared 24 GB machine. Default: `PIPELINE_DUCKDB_MEMORY` (any DuckDB size, e.g. `3GB`), else
 * 20% of physical memory; past it DuckDB spills to its temp directory. It is one budget for
 * the process: databases open at the same time (the build's and verify's) share it.
 */
export function defaultMemoryLimit(): string {
	const env = process.env.PIPELINE_DUCKDB_MEMORY;
	if (env) return env;
	return `${Math.max(512, Math.floor((totalmem() * 0.2) / 2 ** 20))}MB`;
}

/** `4700MB`, `4GB`, `4GiB` → MB (0 when unreadable). */
export function sizeToMb(size: string): number {
	const m = /^([\d.]+)\s*([KMGT])i?B$/i.exec(size.trim());
	if (!m) return 0;
	return Math.round(Number(m[1]) * { K: 1 / 1024, M: 1, G: 1024, T: 1024 ** 2 }[m[2]!.toUpperCase() as 'K' | 'M' | 'G' | 'T']!);
}

const sharing = new Set<DuckDBConnection>();

/** Splits the default budget evenly between the open databases that use it. */
async function rebalance(): Promise<void> {
	const budget = sizeToMb(defaultMemoryLimit());
	if (!budget || !sharing.size) return;
	const share = Math.max(256, Math.floor(budget / sharing.size));
	for (const c of sharing) {
		// may fail when a busy database cannot shrink that far: it then keeps its limit
		await c.run(`SET memory_limit = '${share}MB'`).catch(() => {});
	}
}

export interface Db {
	/** Runs a statement (or several, without parameters). */
	run(sql: string, params?: DuckDBValue[]): Promise<void>;
	/** Runs a query and returns its rows as plain JS objects (BIGINT → bigint). */
	all<T = Record<string, unknown>>(sql: string, params?: DuckDBValue[]): Promise<T[]>;
	/** Runs a query whose columns are all numeric: one Float64Array per column (NULL → NaN, on a SharedArrayBuffer: workers can read it). */
	numbers(sql: string): Promise<Float64Array[]>;
	/** Creates `table` with VARCHAR/INTEGER/DOUBLE columns and appends `rows` (fast, no SQL text). */
	load(table: string, columns: Record<string, 'VARCHAR' | 'INTEGER' | 'DOUBLE'>, rows: (string | number | null)[][]): Promise<void>;
	close(): void;
}

/**
 * Opens an in-memory DuckDB bounded to `memoryLimit` (default: defaultMemoryLimit()) that
 * spills to `tempDir` (default: a fresh folder under the OS temp dir, removed on close).
 */
export async function openDb(opts: { threads?: number; memoryLimit?: string; tempDir?: string } = {}): Promise<Db> {
	const config: Record<string, string> = {};
	if (opts.threads) config.threads = String(opts.threads);
	config.memory_limit = opts.memoryLimit ?? defaultMemoryLimit();
	const ownTemp = opts.tempDir ? undefined : mkdtempSync(join(tmpdir(), 'pipeline-duckdb-'));
	config.temp_directory = opts.tempDir ?? ownTemp!;
	const instance = await DuckDBInstance.create(':memory:', config);
	const conn: DuckDBConnection = await instance.connect();
	if (!opts.memoryLimit) {
		sharing.add(conn);
		await rebalance();
	}
	const trace = process.env.PIPELINE_SQL_TRACE === '1';
	const timedRun = async <T>(sql: string, fn: () => Promise<T>): Promise<T> => {
		const t = performance.now();
		// process CPU (all threads): on a shared machine the wall time moves with the load
		const cpu = trace ? process.cpuUsage() : undefined;
		try {
			return await fn();
		} finally {
			if (trace) {
				const c = process.cpuUsage(cpu);
				console.error(`[sql ${((performance.now() - t) / 1000).toFixed(2)} s, cpu ${((c.user + c.system) / 1e6).toFixed(2)} s] ${sql.replace(/\s+/g, ' ').slice(0, 120)}`);
			}
		}
	};
	const wrap = (sql: string, e: unknown) => Object.assign(new Error(`${(e as Error).message}\nSQL: ${sql.slice(0, 500)}`), { cause: e });
	return {
		async run(sql, params) {
			try {
				await timedRun(sql, () => conn.run(sql, params));
			} catch (e) {
				throw wrap(sql, e);
			}
		},
		async all<T>(sql: string, params?: DuckDBValue[]) {
			try {
				const reader = await timedRun(sql, () => conn.runAndReadAll(sql, params));
				return reader.getRowObjectsJS() as T[];
			} catch (e) {
				throw wrap(sql, e);
			}
		},
		async numbers(sql) {
			// every column as a DOUBLE without NULLs (NULL → NaN): a vector without a validity
			// mask is copied whole; reading 45 M values one getItem at a time (the validity
			// test uses BigInt arithmetic) cost seconds at national scale
			const wrapped = `SELECT COLUMNS(*)::DOUBLE FROM (${sql})`;
			try {
				const result = await timedRun(sql, () => conn.run(`SELECT coalesce(COLUMNS(*), 'NaN'::DOUBLE) FROM (${wrapped})`));
				const chunks = [];
				let rows = 0;
				for (let c; (c = await result.fetchChunk()) && c.rowCount > 0; rows += c.rowCount) chunks.push(c);
				const out = Array.from({ length: result.columnCount }, () => new Float64Array(new SharedArrayBuffer(rows * 8)));
				let at = 0;
				for (const chunk of chunks) {
					// rowCount is a native call: read once per chunk
					const n = chunk.rowCount;
					out.forEach((col, k) => copyDoubles(chunk.getColumnVector(k), col, at, n));
					at += n;
				}
				return out;
			} catch (e) {
				throw wrap(sql, e);
			}
		},
		async load(table, columns, rows) {
			const names = Object.keys(columns);
			await conn.run(`CREATE OR REPLACE TABLE ${table} (${names.map((n) => `${n} ${columns[n]}`).join(', ')})`);
			const appender = await conn.createAppender(table);
			const types = names.map((n) => columns[n]);
			for (const row of rows) {
				row.forEach((v, i) => {
					if (v === null) appender.appendNull();
					else if (types[i] === 'VARCHAR') appender.appendVarchar(String(v));
					else if (types[i] === 'INTEGER') appender.appendInteger(Number(v));
					else appender.appendDouble(Number(v));
				});
				appender.endRow();
			}
			appender.closeSync();
		},
		close() {
			if (sharing.delete(conn)) void rebalance();
			conn.closeSync();
			instance.closeSync();
			if (ownTemp) rmSync(ownTemp, { recursive: true, force: true });
		}
	};
}

/**
 * Copies `n` values of a DOUBLE vector into `out` at `at`. The vector's values array is read
 * directly (a field the TypeScript declaration keeps private; @duckdb/node-api is pinned) when
 * the vector is a DuckDBDoubleVector without NULLs; otherwise value by value.
 */
function copyDoubles(vector: DuckDBVector, out: Float64Array, at: number, n: number): void {
	const raw = vector as unknown as { items?: unknown; validity?: { data?: unknown } };
	if (vector instanceof DuckDBDoubleVector && raw.items instanceof Float64Array && raw.items.length >= n && raw.validity?.data === null) {
		out.set(raw.items.subarray(0, n), at);
		return;
	}
	for (let i = 0; i < n; i++) {
		const v = vector.getItem(i);
		out[at + i] = v === null ? NaN : Number(v);
	}
}

/** Quotes a string as a SQL literal, for the file paths of COPY/read_* (which take no parameters there). */
export function sqlString(s: string): string {
	return `'${s.replaceAll("'", "''")}'`;
}
