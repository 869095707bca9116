/**
 * What the dashboard must show, computed independently with DuckDB in Node from the same
 * published extract files (plain SQL, not the app's query builders).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Manifest } from '../contracts/index.ts';

export interface Oracle {
	file: string;
	rows(sql: string, params?: (string | number)[]): Promise<Record<string, unknown>[]>;
	close(): void;
}

/** DuckDB over the extract file that serves `scope`, as view `f`. */
export async function oracleFor(extractsDir: string, scope: string): Promise<Oracle> {
	const manifest = JSON.parse(await readFile(path.join(extractsDir, 'manifest.json'), 'utf8')) as Manifest;
	const entry = manifest.files.find((f) => f.kind === 'extract' && f.scope === scope);
	if (!entry) throw new Error(`no extract for ${scope}`);
	const file = path.join(extractsDir, entry.path);
	const instance = await DuckDBInstance.create(':memory:');
	const conn = await instance.connect();
	await conn.run(`CREATE VIEW f AS SELECT * FROM read_parquet('${file.replaceAll("'", "''")}')`);
	return {
		file,
		async rows(sql, params = []) {
			const r = await conn.runAndReadAll(sql, params);
			return r.getRowObjectsJS().map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
		},
		close() {
			conn.closeSync();
			instance.closeSync();
		}
	};
}

const HOUSEHOLD = `measure IN ('RdC', 'PdC', 'ADI')`;

/** The KPI figures of `t` in its last household month: sums over the measures, NULL when any part is NULL. */
export async function expectedKpis(o: Oracle, t: string) {
	const [r] = await o.rows(
		`WITH last AS (SELECT max(month) AS m FROM f WHERE territory_id = ? AND ${HOUSEHOLD})
		SELECT strftime(any_value(month), '%Y-%m') AS month, count(*) AS parts,
			bool_and(coalesce(list_contains(soppressi_primari, 'nuclei'), false)) AS nuclei_primary,
			CASE WHEN count(nuclei) = count(*) THEN sum(nuclei) END AS nuclei,
			CASE WHEN count(persone) = count(*) THEN sum(persone) END AS persone,
			CASE WHEN count(*) = 1 THEN any_value(importo_medio)
				WHEN count(importo_medio) = count(*) AND count(nuclei) = count(*) THEN sum(importo_medio * nuclei) / sum(nuclei) END AS importo_medio,
			CASE WHEN count(*) = 1 THEN any_value(nuclei_per_1000)
				WHEN count(nuclei) = count(*) THEN sum(nuclei) * 1000.0 / any_value(residenti) END AS nuclei_per_1000
		FROM f, last WHERE territory_id = ? AND month = last.m AND ${HOUSEHOLD}`,
		[t, t]
	);
	return r as { month: string; parts: number; nuclei_primary: boolean; nuclei: number | null; persone: number | null; importo_medio: number | null; nuclei_per_1000: number | null };
}

/** One published value of `t`, `measure`, `month` (YYYY-MM). */
export async function valueAt(o: Oracle, t: string, measure: string, month: string, col: string): Promise<number | null> {
	const [r] = await o.rows(`SELECT ${col} AS v FROM f WHERE territory_id = ? AND measure = ? AND month = ?::DATE`, [t, measure, `${month}-01`]);
	return (r?.v as number | null) ?? null;
}

/** How a count of `t`, `measure`, `month` (YYYY-MM) reads: the number, "< 3" when a primary suppression, "n.d." when a secondary one. */
export async function countText(o: Oracle, t: string, measure: string, month: string, col: string): Promise<string> {
	const [r] = await o.rows(`SELECT ${col} AS v, list_contains(soppressi_primari, ?) AS p FROM f WHERE territory_id = ? AND measure = ? AND month = ?::DATE`, [col, t, measure, `${month}-01`]);
	if (r?.v != null) return new Intl.NumberFormat('it-IT', { useGrouping: 'always' }).format(r.v as number);
	return r?.p ? '< 3' : 'n.d.';
}

/** A Comune of the file and a month in which its household total is one measure suppressed as under 3 households (primary). */
export async function suppressedComuneMonth(o: Oracle): Promise<{ id: string; month: string } | null> {
	const [r] = await o.rows(
		`SELECT territory_id AS id, strftime(month, '%Y-%m') AS month FROM f
		WHERE level = 'comune' AND ${HOUSEHOLD} GROUP BY ALL
		HAVING count(*) = 1 AND count(nuclei) = 0 AND bool_and(list_contains(soppressi_primari, 'nuclei'))
		ORDER BY month DESC, id LIMIT 1`
	);
	return (r as { id: string; month: string } | undefined) ?? null;
}

/**
 * The Comuni of the file whose ADI count in the last ADI month is suppressed as `kind`:
 * `primari` (under 3 households: "< 3") or `secondari` (hidden to protect another cell: "n.d.").
 */
export async function comuniSuppressedAs(o: Oracle, kind: 'primari' | 'secondari'): Promise<{ id: string; name: string; month: string }[]> {
	return (await o.rows(
		`SELECT territory_id AS id, name, strftime(month, '%Y-%m') AS month FROM f
		WHERE level = 'comune' AND measure = 'ADI' AND month = (SELECT max(month) FROM f WHERE measure = 'ADI')
			AND nuclei IS NULL AND list_contains(soppressi_${kind}, 'nuclei')
		ORDER BY id`
	)) as { id: string; name: string; month: string }[];
}
