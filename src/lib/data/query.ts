/**
 * The app's one data-access seam: `query(sql, params)`. The engine starts lazily and once
 * (a cached promise): DuckDB-WASM in the browser, or whatever a test installs with `useEngine`.
 */
import type { Columns, Engine, Param, Row } from './engine.ts';
import { engineRequested } from './engine-assets.ts';
import { engineProgress } from './progress.ts';
import { mark } from '#lib/perf.ts';

export type { Columns, Engine, Param, Row, Value } from './engine.ts';
export { QueryError, identifier } from './engine.ts';

let engine: Promise<Engine> | null = null;

/** Starts DuckDB-WASM if it has not started yet; call it as early as possible (login callback). */
export function startEngine(): Promise<Engine> {
	if (engine) return engine;
	// At once, not when DuckDB-WASM's module has loaded: the layout's `warmEngine` (authenticated
	// while that import runs) read the 18 MB wasm a second time, and the worker's own read waited
	// for it in the HTTP cache (~500 ms in warm sessions).
	engineRequested();
	engine = import('./wasm-engine.ts')
		.then((m) => m.createWasmEngine((loaded, total) => engineProgress.wasm(loaded, total)))
		.then(
			(e) => {
				mark('engineInstantiated');
				engineProgress.ready();
				return e;
			},
			(err: unknown) => {
				engine = null; // let "Riprova" start it again
				engineProgress.fail(err);
				throw err;
			}
		);
	return engine;
}

/** Installs an engine (tests: the `@duckdb/node-api` one). */
export function useEngine(e: Engine): void {
	engine = Promise.resolve(e);
}

/** Runs `sql` with positional `?` parameters on the engine, starting it if needed. */
export async function query(sql: string, params: readonly Param[] = []): Promise<Row[]> {
	return (await startEngine()).query(sql, params);
}

/** Runs `sql` and keeps the result columnar (and its prepared statement for the next call). */
export async function queryColumns(sql: string, params: readonly Param[] = []): Promise<Columns> {
	return (await startEngine()).queryColumns(sql, params);
}
