/**
 * First-view summaries (contracts/summary.ts, schema 3): one small JSON per extract, written
 * to `summary/<extract path>.json` with the same scope. A scope's file holds only its own
 * territory, as runs of consecutive months per measure; the benchmarks are in files of scope
 * `it`: `summary/benchmarks/RR.json` (Italia and Regione RR, what a scope of that Regione
 * needs) and `summary/italia.json` (Italia and every Regione). Every territory's JSON is built
 * (summary-series.ts) from the `extract` table, so the files hold exactly the published
 * (suppressed) numbers; a build that only adds months takes the earlier months from the
 * previous version's summaries, which verify checked against its extracts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { benchmarkSummaryPath, summaryPath, SUMMARY_SCHEMA_VERSION } from '../contracts/summary.ts';
import type { Manifest } from '../contracts/manifest.ts';
import type { Db } from './db.ts';
import { traceMarks } from './log.ts';
import { appendSeries, seriesFromSummary, seriesFromTable, territoryJson, type TerritorySeries } from './summary-series.ts';
import type { WrittenFile } from './write-extracts.ts';

export interface TerritoryJson {
	territory_id: string;
	level: string;
	parent_id: string | null;
	name: string;
	json: string;
}

const regioniOf = (rows: TerritoryJson[]) => rows.filter((r) => r.level === 'regione').sort((a, b) => (a.territory_id < b.territory_id ? -1 : 1));

/**
 * The summary schema of a version of manifest schema `manifestSchema`: 3 (runs list their
 * secondary suppressions, `secondari`) from manifest schema 5 on, 2 before. Verify of an older
 * version expects its own format.
 */
export function summarySchemaOf(manifestSchema: number): number {
	return manifestSchema >= 5 ? SUMMARY_SCHEMA_VERSION : 2;
}

/** The text of a summary file. */
function fileText(schema: number, version: string, scope: string, self: string, benchmarks: string[], regioni?: TerritoryJson[], ats?: TerritoryJson): string {
	let extra = regioni ? `,"regioni":[${regioni.map((r) => r.json).join(',')}]` : '';
	if (ats) extra += `,"ats":${JSON.stringify({ id: ats.territory_id, name: ats.name })}`;
	return `{"schema_version":${schema},"version":${JSON.stringify(version)},"scope":${JSON.stringify(scope)},"territory":${self},"benchmarks":${JSON.stringify(benchmarks)}${extra}}`;
}

/**
 * The text of every summary file, by scope. `regionOf` gives the Regione id of an ATS or a
 * Comune (a Comune's parent is its ATS). `ats`: a Comune's file names its ATS (manifest schema
 * 4 on; verify reads older versions without).
 */
export function summaryTexts(version: string, rows: TerritoryJson[], scopes: string[], opts: { ats?: boolean; schema?: number } = {}): Map<string, string> {
	const withAts = opts.ats ?? true;
	const schema = opts.schema ?? SUMMARY_SCHEMA_VERSION;
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
		const ats = withAts && self.level === 'comune' ? byId.get(self.parent_id!) : undefined;
		out.set(scope, fileText(schema, version, scope, self.json, benchmarks, scope === 'it' ? regioni : undefined, ats?.level === 'ats' ? ats : undefined));
	}
	return out;
}

/**
 * The text of each Regione's benchmark file (`benchmarkSummaryPath`, scope `it`): Italia, and
 * the Regione in `regioni`. By path relative to the version folder.
 */
export function benchmarkTexts(version: string, rows: TerritoryJson[], schema = SUMMARY_SCHEMA_VERSION): Map<string, string> {
	const italia = rows.find((r) => r.territory_id === 'it');
	if (!italia) throw new Error('Summary: no rows for Italia');
	const out = new Map<string, string>();
	for (const r of regioniOf(rows)) out.set(benchmarkSummaryPath(r.territory_id), fileText(schema, version, 'it', italia.json, [], [r]));
	return out;
}

/** Each territory's JSON, from its series, in summary schema `schema`. */
export function territoryJsons(series: Map<string, TerritorySeries>, schema = SUMMARY_SCHEMA_VERSION): TerritoryJson[] {
	return [...series.values()].map((t) => ({ territory_id: t.id, level: t.level, parent_id: t.parent, name: t.name, json: territoryJson(t, { secondari: schema >= 3 }) }));
}

/**
 * The series of the previous version's summaries (read from `root`, the extracts folder),
 * months before `before`: every scope's own file and Italia's (the Regioni).
 */
export function previousSeries(root: string, manifest: Manifest, before: string, texts?: Map<string, string>): Map<string, TerritorySeries> {
	const out = new Map<string, TerritorySeries>();
	for (const f of manifest.files) if (f.kind === 'summary' && !f.path.includes('/summary/benchmarks/')) seriesFromSummary(texts?.get(f.path) ?? readFileSync(join(root, f.path), 'utf8'), before, out);
	return out;
}

/**
 * Writes the summaries of `files` and the Regioni's benchmark files into `dir`; returns the
 * summary files written. With `previous`, the months before `previous.from` come from the
 * previous version's summaries and only the later ones from `extract`.
 */
export async function writeSummaries(db: Db, dir: string, version: string, files: WrittenFile[], previous?: { root: string; manifest: Manifest; from: string }): Promise<WrittenFile[]> {
	const mark = traceMarks('summaries');
	const series = previous
		? appendSeries(previousSeries(previous.root, previous.manifest, previous.from), await seriesFromTable(db, 'extract', previous.from))
		: await seriesFromTable(db, 'extract');
	const rows = territoryJsons(series);
	mark('series read');
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
	mark(`${out.length} files written`);
	return out;
}
