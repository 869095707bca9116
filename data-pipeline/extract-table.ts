/**
 * The published table `extract` (contracts/extract.ts EXTRACT_COLUMNS, in order) from
 * `cells` after suppression (assembleCells: the masks `pm`, `sm` are columns of `cells`):
 * suppressed values become NULL and their columns are listed in `soppressi_primari` /
 * `soppressi_secondari`. Only this table reaches the files. With `fromDay` (a build that only
 * adds months: write-extracts.ts `incrementalFromDay`), only the rows from that day on, and every
 * row of Italia, the Regioni and the Province (italia.parquet is written whole).
 */
import { CATEGORY_COLUMNS, EXTRACT_COLUMNS } from '../contracts/extract.ts';
import { sqlString, type Db } from './db.ts';
import { MEASURE_ORDER } from './extract-files.ts';
import { SUPPRESSION_COLUMNS, TIED_COLUMNS } from './suppress.ts';

/** The suppression bit of each extract column that can be suppressed. */
export function bitOfColumn(): Map<string, number> {
	const out = new Map<string, number>();
	SUPPRESSION_COLUMNS.forEach((c, k) => {
		for (const name of TIED_COLUMNS[c] ?? [c]) out.set(name, k);
	});
	return out;
}

export async function buildExtractTable(db: Db, opts: { fromDay?: number } = {}): Promise<void> {
	const bits = bitOfColumn();
	const hidden = (col: string) => `((pm | sm) >> ${bits.get(col)}) & 1 = 1`;
	// Few distinct masks: their column lists are computed once and joined.
	await db.run(
		`CREATE OR REPLACE TEMP TABLE flagnames AS
		SELECT m, list_filter([${[...bits.entries()].map(([name, k]) => `CASE WHEN (m >> ${k}) & 1 = 1 THEN '${name}' END`).join(', ')}], x -> x IS NOT NULL) AS names
		FROM (SELECT pm AS m FROM cells UNION SELECT sm & ~pm FROM cells)`
	);
	const flags = (mask: string) => (mask === 'pm' ? 'fp.names' : 'fs.names');
	const expr: Record<string, string> = {
		nuclei: `CASE WHEN ${hidden('nuclei')} THEN NULL ELSE nuclei END`,
		persone: `CASE WHEN ${hidden('persone')} THEN NULL ELSE persone END`,
		importo_medio: `CASE WHEN ${hidden('nuclei')} OR nuclei = 0 THEN NULL ELSE round(cents / nuclei) / 100 END`,
		importo_totale: `CASE WHEN ${hidden('nuclei')} THEN NULL ELSE cents / 100 END`,
		nuclei_per_1000: `CASE WHEN ${hidden('nuclei')} OR residenti = 0 THEN NULL ELSE round(nuclei * 1000 / residenti, 2) END`,
		soppressi_primari: flags('pm'),
		soppressi_secondari: flags('(sm & ~pm)')
	};
	for (const c of CATEGORY_COLUMNS) expr[c] = `CASE WHEN ${hidden(c)} THEN NULL ELSE ${c} END`;
	const select = EXTRACT_COLUMNS.map((c) => `CAST(${expr[c.name] ?? c.name} AS ${c.type}) AS ${c.name}`).join(',\n\t\t');
	await db.run(
		`CREATE OR REPLACE TABLE extract AS SELECT region, tid, list_position([${MEASURE_ORDER.map(sqlString).join(', ')}], measure) AS ms, ${select}
		FROM cells c JOIN flagnames fp ON fp.m = c.pm JOIN flagnames fs ON fs.m = c.sm & ~c.pm
		${opts.fromDay === undefined ? '' : `WHERE c.month >= DATE '1970-01-01' + ${Math.trunc(opts.fromDay)} OR c.level IN ('italia', 'regione', 'provincia')`}`
	);
}
