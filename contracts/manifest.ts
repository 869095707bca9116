/** The extracts manifest (DESIGN.md "Extracts"), `extracts/manifest.json`. */
import type { TerritoryId } from './territory.ts';

/** One published file. `within` lists the territories that contain `scope` (its Regione, its ATS). */
export interface ManifestFile {
	/** Relative to `extracts/`, e.g. `2026-11-01T120000Z/ats/T05015.parquet`. */
	path: string;
	/** The territory the file serves; `it` for files every logged-in user may read. */
	scope: TerritoryId;
	/** The territories containing `scope`, outermost first (e.g. `['r:05', 'a:X05003']` for a Comune). */
	within: TerritoryId[];
	/** What the file holds: `extract` (Parquet), `summary` (first-view JSON), `boundaries` (TopoJSON). */
	kind: 'extract' | 'summary' | 'boundaries';
	rows: number;
	bytes: number;
	sha256: string;
}

/**
 * 6: each Regione boundary file (`geo/RR.topo.json`) has the object `ats` (the ATS areas);
 * 5: summary schema 3 (a run lists its secondary suppressions, `SummaryRun.secondari`);
 * 4: a Comune's summary names its ATS (`SummaryFile.ats`);
 * 3: also one benchmark summary per Regione (`summary/benchmarks/RR.json`, scope `it`);
 * 2: summary files in the compact format of contracts/summary.ts, benchmarks only in
 * `summary/italia.json`; 1: each summary repeated its benchmarks.
 */
export const MANIFEST_SCHEMA_VERSION = 6;

/** The manifest of the published version. */
export interface Manifest {
	schema_version: number;
	version: string;
	published_at: string;
	period: { from: string; to: string };
	measures: string[];
	suppression_threshold: number;
	/** True when the microdata or the Comune→ATS map are synthetic (the demo). */
	synthetic: { microdata: boolean; ats_map: boolean };
	sources: Record<string, { description: string; sha256?: string }>;
	files: ManifestFile[];
}
