/**
 * First-view summaries (contracts/summary.ts, schema 2): one small JSON per extract, written
 * to `summary/<extract path>.json` with the same scope. A scope's file holds only its own
 * territory, as runs of consecutive months per measure; the benchmarks are in files of scope
 * `it`: `summary/benchmarks/RR.json` (Italia and Regione RR, what a scope of that Regione
 * needs) and `summary/italia.json` (Italia and every Regione). One DuckDB query builds every
 * territory's JSON from the `extract` table, so the files hold exactly the published
 * (suppressed) numbers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { benchmarkSummaryPath, summaryPath, SUMMARY_SCHEMA_VERSION } from '../contracts/summary.ts';
import type { Db } from './db.ts';
import type { WrittenFile } from './write-extracts.ts';

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

const regioniOf = (rows: TerritoryJson[]) => rows.filter((r) => r.level === 'regione').sort((a, b) => (a.territory_id < b.territory_id ? -1 : 1));

/** The text of a summary file. */
function fileText(version: string, scope: string, self: string, benchmarks: string[], regioni?: TerritoryJson[]): string {
	const extra = regioni ? `,"regioni":[${regioni.map((r) => r.json).join(',')}]` : '';
	return `{"schema_version":${SUMMARY_SCHEMA_VERSION},"version":${JSON.stringify(version)},"scope":${JSON.stringify(scope)},"territory":${self},"benchmarks":${JSON.stringify(benchmarks)}${extra}}`;
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
	const regioni = regioniOf(rows);
	const out = new Map<string, string>();
	for (const scope of scopes) {
		const self = byId.get(scope);
		if (!self) throw new Error(`Summary: no rows for scope ${scope}`);
		const benchmarks = scope === 'it' ? [] : self.level === 'regione' ? ['it'] : [regionOf(scope), 'it'];
		out.set(scope, fileText(version, scope, self.json, benchmarks, scope === 'it' ? regioni : undefined));
	}
	return out;
}

/**
 * The text of each Regione's benchmark file (`benchmarkSummaryPath`, scope `it`): Italia, and
 * the Regione in `regioni`. By path relative to the version folder.
 */
export function benchmarkTexts(version: string, rows: TerritoryJson[]): Map<string, string> {
	const italia = rows.find((r) => r.territory_id === 'it');
	if (!italia) throw new Error('Summary: no rows for Italia');
	const out = new Map<string, string>();
	for (const r of regioniOf(rows)) out.set(benchmarkSummaryPath(r.territory_id), fileText(version, 'it', italia.json, [], [r]));
	return out;
}

/** Writes the summaries of `files` and the Regioni's benchmark files into `dir`; returns the summary files written. */
export async function writeSummaries(db: Db, dir: string, version: string, files: WrittenFile[]): Promise<WrittenFile[]> {
	const rows = await db.all<TerritoryJson>(territoryJsonSql('extract'));
	const texts = summaryTexts(version, rows, files.map((f) => f.scope));
	const out: WrittenFile[] = [];
	const dirs = new Set<string>();
	const write = (path: string, text: string) => {
		const abs = join(dir, path);
		if (!dirs.has(dirname(abs))) mkdirSync(dirname(abs), { recursive: true });
		dirs.add(dirname(abs));
		writeFileSync(abs, text);
	};
	for (const f of files) {
		const path = summaryPath(f.path);
		write(path, texts.get(f.scope)!);
		out.push({ path, scope: f.scope, rows: f.scope === 'it' ? 1 + rows.filter((r) => r.level === 'regione').length : 1 });
	}
	for (const [path, text] of benchmarkTexts(version, rows)) {
		write(path, text);
		out.push({ path, scope: 'it', rows: 2 });
	}
	return out;
}
