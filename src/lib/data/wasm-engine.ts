/**
 * The seam on DuckDB-WASM 1.28 in a Web Worker. 1.28 has the Parquet reader built in; later
 * releases download it from extensions.duckdb.org at the first Parquet query, which a PA site
 * must not do (docs/decisions/0002-browser-engine.md). The wasm and the worker are served from
 * the app's own origin through Vite `?url` imports: no CDN.
 */
import * as duckdb from '@duckdb/duckdb-wasm';
import { BUNDLES } from './engine-assets.ts';
import { QueryError, toValue, type Engine, type Param, type Row } from './engine.ts';

/** Bytes of the wasm module fetched so far (for the progress indicator). */
export type EngineProgress = (loaded: number, total: number) => void;

/** Starts the worker, fetches and compiles the wasm, opens one connection. */
export async function createWasmEngine(onProgress?: EngineProgress): Promise<Engine> {
	const bundle = await duckdb.selectBundle(BUNDLES);
	const worker = new Worker(bundle.mainWorker!);
	const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
	await db.instantiate(bundle.mainModule, bundle.pthreadWorker, (p) => onProgress?.(p.bytesLoaded, p.bytesTotal));
	const conn = await db.connect();

	return {
		async query(sql: string, params: readonly Param[] = []): Promise<Row[]> {
			try {
				let table;
				if (params.length === 0) table = await conn.query(sql);
				else {
					const stmt = await conn.prepare(sql);
					try {
						table = await stmt.query(...params);
					} finally {
						await stmt.close();
					}
				}
				const names = table.schema.fields.map((f: { name: string }) => f.name);
				const columns = names.map((_: string, i: number) => table.getChildAt(i));
				const rows: Row[] = new Array(table.numRows);
				for (let r = 0; r < table.numRows; r++) {
					const row: Row = {};
					for (let c = 0; c < names.length; c++) row[names[c]] = toValue(columns[c]?.get(r));
					rows[r] = row;
				}
				return rows;
			} catch (e) {
				throw new QueryError(sql, e);
			}
		},
		async registerFile(name: string, bytes: Uint8Array) {
			await db.registerFileBuffer(name, bytes);
		}
	};
}
