/**
 * The seam on `@duckdb/node-api`, for tests and Node tools. Never imported by browser code.
 * Node DuckDB has no in-memory file registry, so registered bytes go to a temp folder and
 * `read_parquet('<name>')` is rewritten to that path.
 */
import { DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueryError, toValue, type Columns, type Engine, type Param, type Row } from './engine.ts';

/** An in-memory DuckDB behind the `Engine` seam. */
export async function createNodeEngine(): Promise<Engine & { close(): void }> {
	const instance = await DuckDBInstance.create(':memory:');
	const connection = await instance.connect();
	const dir = await mkdtemp(path.join(tmpdir(), 'cruscotto-engine-'));
	const files = new Map<string, string>();

	const rewrite = (sql: string) =>
		sql.replace(/read_parquet\('([^']+)'\)/g, (all, name: string) => {
			const file = files.get(name);
			return file ? `read_parquet('${file.replaceAll("'", "''")}')` : all;
		});

	return {
		async query(sql: string, params: readonly Param[] = []): Promise<Row[]> {
			try {
				const reader = await connection.runAndReadAll(rewrite(sql), params as DuckDBValue[]);
				return reader.getRowObjectsJS().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toValue(v)])));
			} catch (e) {
				throw new QueryError(sql, e);
			}
		},
		async queryColumns(sql: string, params: readonly Param[] = []): Promise<Columns> {
			try {
				const reader = await connection.runAndReadAll(rewrite(sql), params as DuckDBValue[]);
				const cols = reader.getColumnsObjectJS();
				const column = (name: string) => {
					if (!(name in cols)) throw new Error(`No column ${JSON.stringify(name)} in the result`);
					return cols[name];
				};
				return {
					numRows: reader.currentRowCount,
					numbers: (name) => Float64Array.from(column(name), (v) => (v === null || v === undefined ? NaN : Number(v))),
					values: (name) => column(name).map(toValue)
				};
			} catch (e) {
				throw new QueryError(sql, e);
			}
		},
		async registerFile(name: string, bytes: Uint8Array) {
			const file = path.join(dir, name.replaceAll('/', '_'));
			await writeFile(file, bytes);
			files.set(name, file);
		},
		close() {
			connection.closeSync();
			instance.closeSync();
			rmSync(dir, { recursive: true, force: true });
		}
	};
}
