/**
 * The engine seam (STYLE.md conventions 2–3): everything the app asks of DuckDB goes through
 * `Engine.query(sql, params)` with positional `?` parameters, so the same query builders run
 * on DuckDB-WASM in the browser and on `@duckdb/node-api` in the tests.
 */

/** A value as the seam hands it out: BIGINT/HUGEINT become numbers, lists become arrays. */
export type Value = string | number | boolean | null | Value[];
/** One result row, keyed by column name. */
export type Row = Record<string, Value>;
/** A prepared-statement parameter; cast it in SQL (`?::DATE`) so both engines bind the same type. */
export type Param = string | number | boolean | null;

/**
 * A result kept as columns, for views that hand whole columns to their charts instead of
 * building one object per row (Confronto: 1,500 rows per interaction).
 */
export interface Columns {
	readonly numRows: number;
	/** A numeric column as doubles, NULL as NaN (BIGINT as the nearest double). */
	numbers(name: string): Float64Array;
	/** Any column as plain values (NULL as null). */
	values(name: string): Value[];
}

export interface Engine {
	/** Runs `sql` as a prepared statement with positional `?` parameters. */
	query(sql: string, params?: readonly Param[]): Promise<Row[]>;
	/**
	 * Like `query`, but the result stays columnar, and the prepared statement is kept for the
	 * next call with the same SQL (views that repeat one query shape per interaction).
	 */
	queryColumns(sql: string, params?: readonly Param[]): Promise<Columns>;
	/** Makes Parquet bytes readable as `read_parquet('<name>')`. */
	registerFile(name: string, bytes: Uint8Array): Promise<void>;
}

/** A query failure that keeps the SQL and the engine's error as `cause`. */
export class QueryError extends Error {
	readonly sql: string;
	constructor(sql: string, cause: unknown) {
		super(`Query failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
		this.name = 'QueryError';
		this.sql = sql;
	}
}

/** Identifiers cannot be prepared-statement parameters: only these are ever spliced. */
export function identifier(name: string): string {
	if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Unsafe SQL identifier: ${JSON.stringify(name)}`);
	return name;
}

/** Turns what either engine returns into a plain `Value`. */
export function toValue(v: unknown): Value {
	if (v === null || v === undefined) return null;
	if (typeof v === 'bigint') return Number(v);
	if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
	if (v instanceof Date) return v.toISOString().slice(0, 10);
	if (Array.isArray(v)) return v.map(toValue);
	// Arrow vectors (lists in DuckDB-WASM results) are iterable.
	if (typeof v === 'object' && Symbol.iterator in v) return Array.from(v as Iterable<unknown>, toValue);
	return String(v);
}
