/**
 * First-view summaries (contracts/summary.ts, schema 2): one small JSON per extract, written
 * to `summary/<extract path>.json` with the same scope. A scope's file holds only its own
 * territory, as runs of consecutive months per measure; `summary/italia.json` also holds
 * every Regione, the benchmarks of every scope. One DuckDB query builds every territory's
 * JSON from the `extract` table, so the files hold exactly the published (suppressed) numbers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SUMMARY_SCHEMA_VERSION } from '../contracts/summary.ts';
import type { Db } from './db.ts';
import type { WrittenFile } from './write-extracts.ts';

/** The summary's path for an extract path: `ats/X15001.parquet` → `summary/ats/X15001.json`. */
export function summaryPath(extractPath: string): string {
	return `summary/${extractPath.replace(/\.parquet$/, '.json')}`;
}

/**
 * Each territory's `SummaryFileTerritory` as JSON, from a table of extract rows (`extract` in
 * the build, the files' rows in verify): run = month index − position, constant along a run.
 */
export function territoryJsonSql(table: string): string {
	return `WITH r AS (
			SELECT territory_id, measure, month, nuclei, persone, importo_medio, nuclei_per_1000,
				year(month) * 12 + month(month) - row_number() OVER (PARTITION BY territory_id, measure ORDER BY month) AS k
			FROM ${table} WHERE level <> 'provincia'),
		runs AS (
			SELECT territory_id, measure, min(month) AS m0, {'measure': measure, 'from': strftime(min(month), '%Y-%m'),
				'nuclei': list(nuclei ORDER BY month), 'persone': list(persone ORDER BY month),
				'importo_medio': list(importo_medio ORDER BY month), 'nuclei_per_1000': list(nuclei_per_1000 ORDER BY month)} AS run
			FROM r GROUP BY territory_id, measure, k),
		t AS (SELECT DISTINCT territory_id, level, name, residenti, parent_id FROM ${table} WHERE level <> 'provincia')
		SELECT t.territory_id, t.level, t.parent_id,
			to_json({'id': t.territory_id, 'name': t.name, 'level': t.level, 'residenti': t.residenti, 'runs': list(runs.run ORDER BY runs.measure, runs.m0)})::VARCHAR AS json
		FROM t JOIN runs USING (territory_id) GROUP BY t.territory_id, t.level, t.parent_id, t.name, t.residenti`;
}

export interface TerritoryJson {
	territory_id: string;
	level: string;
	parent_id: string | null;
	json: string;
}

/**
 * The text of every summary file, by scope. `regionOf` gives the Regione id of an ATS or a
 * Comune (a Comune's parent is its ATS).
 */
export function summaryTexts(version: string, rows: TerritoryJson[], scopes: string[]): Map<string, string> {
	const byId = new Map(rows.map((r) => [r.territory_id, r]));
	const regionOf = (id: string): string => {
		const t = byId.get(id)!;
		return t.level === 'comune' ? regionOf(t.parent_id!) : t.level === 'regione' ? id : t.parent_id!;
	};
	const regioni = rows.filter((r) => r.level === 'regione').sort((a, b) => (a.territory_id < b.territory_id ? -1 : 1));
	const out = new Map<string, string>();
	for (const scope of scopes) {
		const self = byId.get(scope);
		if (!self) throw new Error(`Summary: no rows for scope ${scope}`);
		const benchmarks = scope === 'it' ? [] : self.level === 'regione' ? ['it'] : [regionOf(scope), 'it'];
		const extra = scope === 'it' ? `,"regioni":[${regioni.map((r) => r.json).join(',')}]` : '';
		out.set(
			scope,
			`{"schema_version":${SUMMARY_SCHEMA_VERSION},"version":${JSON.stringify(version)},"scope":${JSON.stringify(scope)},"territory":${self.json},"benchmarks":${JSON.stringify(benchmarks)}${extra}}`
		);
	}
	return out;
}

/** Writes the summaries of `files` into `dir`; returns the summary files written. */
export async function writeSummaries(db: Db, dir: string, version: string, files: WrittenFile[]): Promise<WrittenFile[]> {
	const rows = await db.all<TerritoryJson>(territoryJsonSql('extract'));
	const texts = summaryTexts(version, rows, files.map((f) => f.scope));
	const out: WrittenFile[] = [];
	const dirs = new Set<string>();
	for (const f of files) {
		const path = summaryPath(f.path);
		const abs = join(dir, path);
		if (!dirs.has(dirname(abs))) mkdirSync(dirname(abs), { recursive: true });
		dirs.add(dirname(abs));
		writeFileSync(abs, texts.get(f.scope)!);
		out.push({ path, scope: f.scope, rows: f.scope === 'it' ? 1 + rows.filter((r) => r.level === 'regione').length : 1 });
	}
	return out;
}
