/**
 * What changed against the previously published version: new months, and revised rows
 * (same territory, month and measure, any published value or flag different). Read from
 * the previous version's files, so it works whatever built them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXTRACT_COLUMNS } from '../contracts/extract.ts';
import type { Manifest } from '../contracts/manifest.ts';
import { sqlString, type Db } from './db.ts';

export interface Changes {
	previous: string | null;
	newMonths: string[];
	revisedRows: number;
	/** Published cells (row × column, flags included) that differ in the revised rows. */
	revisedCells: number;
	revisedMonths: string[];
}

/**
 * Compares the `extract` table with the previous version (italia + regione files cover every
 * territory). `onlyMonths`: the months that can differ (the others are known to be identical:
 * same cache key as the previous publication); all months when absent.
 */
export async function compareWithPrevious(db: Db, root: string, previous: Manifest | null, onlyMonths?: string[]): Promise<Changes> {
	if (!previous) return { previous: null, newMonths: [], revisedRows: 0, revisedCells: 0, revisedMonths: [] };
	const paths = previous.files
		.filter((f) => f.kind === 'extract' && (f.scope === 'it' || /^r:/.test(f.scope)))
		.map((f) => join(root, f.path))
		.filter((p) => existsSync(p));
	if (!paths.length || onlyMonths?.length === 0) return { previous: previous.version, newMonths: [], revisedRows: 0, revisedCells: 0, revisedMonths: [] };
	// as dates: the files' month statistics then skip the row groups of other months
	const inMonths = onlyMonths ? `WHERE month IN (${onlyMonths.map((m) => `DATE ${sqlString(`${m}-01`)}`).join(', ')})` : '';
	await db.run(`CREATE OR REPLACE TEMP TABLE prev AS SELECT DISTINCT * FROM read_parquet([${paths.map(sqlString).join(', ')}], union_by_name = true) ${inMonths}`);
	await db.run(`CREATE OR REPLACE TEMP VIEW cur AS SELECT * FROM extract ${inMonths}`);
	const newMonths = await db.all<{ m: string }>(`SELECT DISTINCT strftime(month, '%Y-%m') AS m FROM cur EXCEPT SELECT DISTINCT strftime(month, '%Y-%m') FROM prev ORDER BY m`);
	const values = EXTRACT_COLUMNS.filter((c) => !['territory_id', 'month', 'measure'].includes(c.name)).map((c) => `n.${c.name} IS DISTINCT FROM p.${c.name}`);
	const revised = await db.all<{ m: string; n: bigint; cells: bigint }>(
		`SELECT strftime(n.month, '%Y-%m') AS m, count(*) AS n, sum(${values.map((v) => `(${v})::INTEGER`).join(' + ')}) AS cells
		FROM cur n JOIN prev p USING (territory_id, month, measure)
		WHERE ${values.join(' OR ')} GROUP BY m ORDER BY m`
	);
	return {
		previous: previous.version,
		newMonths: newMonths.map((r) => r.m),
		revisedRows: revised.reduce((s, r) => s + Number(r.n), 0),
		revisedCells: revised.reduce((s, r) => s + Number(r.cells), 0),
		revisedMonths: revised.map((r) => r.m)
	};
}
