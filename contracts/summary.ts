/**
 * The first-view summary: a small JSON the pipeline writes beside each scoped extract
 * (`<version>/summary/<same path as the extract>.json`, manifest kind `summary`, same scope),
 * so the app shows the KPI cards and the first chart before DuckDB-WASM is ready. Its
 * numbers come from the same table as the extract: once the engine is up nothing changes.
 *
 * On disk (`SummaryFile`, schema 3) a scope's file holds only its own territory, in columns;
 * the benchmarks are in files every logged-in user may read (scope `it`, like italia.parquet):
 * `summary/benchmarks/RR.json` holds Italia and Regione RR (`benchmarkSummaryPath`), the
 * benchmarks of that Regione and of every ATS and Comune in it; `summary/italia.json` holds
 * Italia and every Regione. The app fetches a scope's file and its Regione's benchmark file
 * (`summary/italia.json` when the version has no benchmark files) and assembles a
 * `FirstViewSummary` (docs/decisions/0022-compact-summaries.md, 0026-ats-bytes.md).
 */
import type { Measure } from './extract.ts';
import { codeOf, levelOf, type TerritoryId, type TerritoryLevel } from './territory.ts';

/** One month of one measure of one territory (suppressed values are null, as in the extract). */
export interface SummaryPoint {
	/** `YYYY-MM` */
	month: string;
	measure: Measure;
	nuclei: number | null;
	persone: number | null;
	importo_medio: number | null;
	nuclei_per_1000: number | null;
	/**
	 * True when `nuclei` (and `persone`, the mean and the rate, suppressed with it) is null by
	 * secondary suppression only: not known to be under 3 households ("n.d.", not "< 3").
	 * Absent otherwise.
	 */
	secondario?: true;
}

export interface SummaryTerritory {
	id: TerritoryId;
	name: string;
	level: TerritoryLevel;
	residenti: number;
	/** Every month and measure of the published period, sorted by measure, then month. */
	series: SummaryPoint[];
}

/** The summary of one scope as the app uses it: its own territory, then its benchmarks (its Regione, Italia). */
export interface FirstViewSummary {
	version: string;
	scope: TerritoryId;
	territory: SummaryTerritory;
	benchmarks: SummaryTerritory[];
	/** A Comune's ATS (id and name), from its summary file. */
	ats?: { id: TerritoryId; name: string };
}

/**
 * The `schema_version` of summary files in this format. 3 (manifest schema 5): runs list their
 * secondary suppressions (`SummaryRun.secondari`); 2: without them.
 */
export const SUMMARY_SCHEMA_VERSION = 3;

/**
 * A run of consecutive months of one measure: value k of each array is the month `from` + k.
 * A measure has one run per stretch of published months (one, unless the period has a gap).
 */
export interface SummaryRun {
	measure: Measure;
	/** `YYYY-MM`, the first month of the run. */
	from: string;
	nuclei: (number | null)[];
	persone: (number | null)[];
	importo_medio: (number | null)[];
	nuclei_per_1000: (number | null)[];
	/**
	 * The offsets k (ascending) whose `nuclei` is null by secondary suppression only (the extract
	 * lists `nuclei` in `soppressi_secondari`; `persone`, the mean and the rate are hidden with
	 * it). Every other null is primary (or not applicable). Omitted when empty.
	 */
	secondari?: number[];
}

/** A territory in a summary file: its runs sorted by measure, then month. */
export interface SummaryFileTerritory {
	id: TerritoryId;
	name: string;
	level: TerritoryLevel;
	residenti: number;
	runs: SummaryRun[];
}

/** A summary file on disk (`summary/<extract path>.json`). */
export interface SummaryFile {
	schema_version: typeof SUMMARY_SCHEMA_VERSION;
	version: string;
	scope: TerritoryId;
	territory: SummaryFileTerritory;
	/** The benchmarks' ids, outermost last: `[]` for it, `['it']` for a Regione, `['r:RR', 'it']` otherwise. */
	benchmarks: TerritoryId[];
	/**
	 * Only in the files of scope `it`: in `summary/italia.json` every Regione, in
	 * `summary/benchmarks/RR.json` Regione RR (their `territory` is Italia).
	 */
	regioni?: SummaryFileTerritory[];
	/**
	 * Only in a Comune's file: its ATS, by name (not secret, and the Comune's user may read no
	 * file of the ATS): the breadcrumb Italia / Regione / ATS / Comune names it.
	 */
	ats?: { id: TerritoryId; name: string };
}

const FOLDERS: Partial<Record<TerritoryLevel, string>> = { regione: 'regione', ats: 'ats', comune: 'comune' };

/**
 * The extract file of scope `scope`, relative to the version folder (DESIGN.md's layout):
 * `it` → `italia.parquet`, `a:X15001` → `ats/X15001.parquet`; null for a territory without its
 * own file (a Provincia).
 */
export function extractPath(scope: TerritoryId): string | null {
	if (scope === 'it') return 'italia.parquet';
	const folder = FOLDERS[levelOf(scope) ?? 'italia'];
	return folder ? `${folder}/${codeOf(scope)}.parquet` : null;
}

/** The summary of an extract, relative to the version folder: `ats/X15001.parquet` → `summary/ats/X15001.json`. */
export function summaryPath(extractPath: string): string {
	return `summary/${extractPath.replace(/\.parquet$/, '.json')}`;
}

/**
 * The benchmark summary of Regione `regione` (`r:RR`), relative to the version folder: a
 * `SummaryFile` of scope `it` whose `territory` is Italia and whose `regioni` is that Regione.
 */
export function benchmarkSummaryPath(regione: TerritoryId): string {
	return `summary/benchmarks/${codeOf(regione)}.json`;
}
