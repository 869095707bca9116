/**
 * The first-view summary: a small JSON the pipeline writes beside each scoped extract
 * (`<version>/summary/<same path as the extract>.json`, manifest kind `summary`, same scope),
 * so the app shows the KPI cards and the first chart before DuckDB-WASM is ready. Its
 * numbers come from the same table as the extract: once the engine is up nothing changes.
 */
import type { Measure } from './extract.ts';
import type { TerritoryId, TerritoryLevel } from './territory.ts';

/** One month of one measure of one territory (suppressed values are null, as in the extract). */
export interface SummaryPoint {
	/** `YYYY-MM` */
	month: string;
	measure: Measure;
	nuclei: number | null;
	persone: number | null;
	importo_medio: number | null;
	nuclei_per_1000: number | null;
}

export interface SummaryTerritory {
	id: TerritoryId;
	name: string;
	level: TerritoryLevel;
	residenti: number;
	/** Every month and measure of the published period. */
	series: SummaryPoint[];
}

/** The summary of one scope: its own territory, then its benchmarks (its Regione, Italia). */
export interface FirstViewSummary {
	version: string;
	scope: TerritoryId;
	territory: SummaryTerritory;
	benchmarks: SummaryTerritory[];
}
