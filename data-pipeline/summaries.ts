/**
 * First-view summaries (contracts/summary.ts): one small JSON per extract, written to
 * `summary/<extract path>.json` with the same scope. The series are built as JSON by DuckDB
 * from the `extract` table, so they hold exactly the published (suppressed) numbers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Db } from './db.ts';
import type { WrittenFile } from './write-extracts.ts';

/** The summary's path for an extract path: `ats/X15001.parquet` → `summary/ats/X15001.json`. */
export function summaryPath(extractPath: string): string {
	return `summary/${extractPath.replace(/\.parquet$/, '.json')}`;
}

/** Writes the summaries of `files` into `dir`; returns the summary files written. */
export async function writeSummaries(db: Db, dir: string, version: string, files: WrittenFile[]): Promise<WrittenFile[]> {
	const rows = await db.all<{ territory_id: string; level: string; name: string; parent_id: string | null; region: string; residenti: number; series: string }>(
		`SELECT territory_id, any_value(level) AS level, any_value(name) AS name, any_value(parent_id) AS parent_id,
			any_value(region) AS region, any_value(residenti) AS residenti,
			to_json(list({'month': strftime(month, '%Y-%m'), 'measure': measure, 'nuclei': nuclei, 'persone': persone,
				'importo_medio': importo_medio, 'nuclei_per_1000': nuclei_per_1000} ORDER BY measure, month))::VARCHAR AS series
		FROM extract WHERE level <> 'provincia' GROUP BY territory_id`
	);
	const byId = new Map(rows.map((r) => [r.territory_id, r]));
	const territory = (id: string) => {
		const t = byId.get(id);
		if (!t) throw new Error(`Summary: no rows for territory ${id}`);
		return `{"id":${JSON.stringify(t.territory_id)},"name":${JSON.stringify(t.name)},"level":${JSON.stringify(t.level)},"residenti":${t.residenti},"series":${t.series}}`;
	};
	const out: WrittenFile[] = [];
	for (const f of files) {
		const self = byId.get(f.scope);
		if (!self) throw new Error(`Summary: no rows for scope ${f.scope}`);
		const benchmarks = f.scope === 'it' ? [] : self.level === 'regione' ? ['it'] : [`r:${self.region}`, 'it'];
		const json = `{"version":${JSON.stringify(version)},"scope":${JSON.stringify(f.scope)},"territory":${territory(f.scope)},"benchmarks":[${benchmarks.map(territory).join(',')}]}`;
		const path = summaryPath(f.path);
		mkdirSync(dirname(join(dir, path)), { recursive: true });
		writeFileSync(join(dir, path), json);
		out.push({ path, scope: f.scope, rows: 1 + benchmarks.length });
	}
	return out;
}
