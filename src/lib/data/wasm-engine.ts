/**
 * The seam on DuckDB-WASM 1.28 in a Web Worker. 1.28 has the Parquet reader built in; later
 * releases download it from extensions.duckdb.org at the first Parquet query, which a PA site
 * must not do (docs/decisions/0002-browser-engine.md). The wasm and the worker are served from
 * the app's own origin through Vite `?url` imports: no CDN.
 */
import * as duckdb from '@duckdb/duckdb-wasm';
import { arrowColumns } from './arrow-columns.ts';
import { BUNDLES, engineRequested, takeEarlyWorker } from './engine-assets.ts';
import { QueryError, toValue, type Engine, type Param, type Row } from './engine.ts';
import type { Columns } from './engine.ts';

/** Bytes of the wasm module fetched so far (for the progress indicator). */
export type EngineProgress = (loaded: number, total: number) => void;

/** A User Timing measure per engine call (performance panel, bench/profile.ts); cheap enough to keep. */
function measured<T>(label: string, work: Promise<T>): Promise<T> {
	if (typeof performance === 'undefined' || typeof performance.measure !== 'function') return work;
	const start = performance.now();
	const done = () => void performance.measure(`engine: ${label.replace(/\s+/g, ' ').slice(0, 100)}`, { start });
	work.then(done, done);
	return work;
}

/**
 * Starts the worker, fetches and compiles the wasm, opens one connection. The worker runs
 * behind engine-worker.js, so DuckDB-WASM reports no download progress: `onProgress` gets (0, 0)
 * at the start, and bytes only from builds that report them.
 */
export async function createWasmEngine(onProgress?: EngineProgress): Promise<Engine> {
	engineRequested();
	onProgress?.(0, 0); // "starting", without bytes: the loading bar says the engine is on its way
	const bundle = await duckdb.selectBundle(BUNDLES);
	const worker = takeEarlyWorker(bundle.mainWorker!) ?? new Worker(bundle.mainWorker!);
	const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
	const instantiated = measured('instantiate', db.instantiate(bundle.mainModule, bundle.pthreadWorker, (p) => onProgress?.(p.bytesLoaded, p.bytesTotal)));
	// Sent now: engine-worker.js holds it until DuckDB is instantiated, one main-thread round trip less.
	const connecting = db.connect();
	connecting.catch(() => undefined); // a failed instantiate is reported by `instantiated`
	await instantiated;
	const conn = await connecting;

	async function run(sql: string, params: readonly Param[]): Promise<Row[]> {
		try {
			let table;
			if (params.length === 0) table = await conn.query(sql);
			else {
				const stmt = await conn.prepare(sql);
				try {
					table = await stmt.query(...params);
				} finally {
					// Not awaited: the worker handles messages in order, so the next request still comes
					// after it, and the caller does not wait for one more round trip through a main thread
					// that is busy drawing the first view.
					void stmt.close().catch(() => undefined);
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
	}

	return {
		queryColumns: (sql: string, params: readonly Param[] = []) => columnsOf(conn, sql, params),
		query: (sql: string, params: readonly Param[] = []) => measured(sql, run(sql, params)),
		registerFile: (name: string, bytes: Uint8Array) => measured(`register ${name}`, db.registerFileBuffer(name, bytes))
	};
}

/** Prepared statements kept per connection for `queryColumns` (a view repeats a few query shapes). */
const statements = new WeakMap<duckdb.AsyncDuckDBConnection, Map<string, Promise<duckdb.AsyncPreparedStatement>>>();
const MAX_STATEMENTS = 48;

async function columnsOf(conn: duckdb.AsyncDuckDBConnection, sql: string, params: readonly Param[]): Promise<Columns> {
	let cache = statements.get(conn);
	if (!cache) statements.set(conn, (cache = new Map()));
	let stmt = cache.get(sql);
	try {
		if (!stmt) {
			if (cache.size >= MAX_STATEMENTS) {
				const [oldest, old] = cache.entries().next().value!;
				cache.delete(oldest);
				void old.then((s) => s.close()).catch(() => undefined);
			}
			stmt = conn.prepare(sql);
			cache.set(sql, stmt);
		}
		// The answer's Arrow IPC bytes (transferred from the worker), decoded on first use: work done
		// ahead decodes them only once the user's step is over (background.ts `held`).
		const bytes = await runPrepared(await stmt, params);
		return arrowColumns(bytes);
	} catch (e) {
		cache.delete(sql);
		void stmt?.then((s) => s.close()).catch(() => undefined);
		throw new QueryError(sql, e);
	}
}

/** What `AsyncPreparedStatement.query` does before decoding: the worker's answer as Arrow IPC bytes. */
function runPrepared(stmt: duckdb.AsyncPreparedStatement, params: readonly Param[]): Promise<Uint8Array> {
	const s = stmt as unknown as { bindings: duckdb.AsyncDuckDB; connectionId: number; statementId: number };
	return s.bindings.runPrepared(s.connectionId, s.statementId, [...params]);
}
