/**
 * The first view's summaries requested beside the manifest, not after it (decision 0032). The
 * gateway's `/config.json` (fetched at page load, before the token) names the published
 * version; the summary paths follow from it and from the pipeline's file layout, so their
 * requests leave with the manifest's. Nothing is trusted early: the bytes are used only once the
 * manifest lists the same path with their sha256 (`ExtractStore.early`), and a wrong guess (a
 * publish in between, a layout this code does not know) costs one refused request, no error.
 */
import { benchmarkSummaryPath, extractPath, levelOf, summaryPath, type Manifest, type ManifestFile, type TerritoryId } from '#contracts';

/** What `/config.json` says about the published data. */
export interface PublishedData {
	version: string;
	/** The manifest's `schema_version` (3: per-Regione benchmark summaries). */
	schema_version: number;
}

/** A version folder name as the pipeline writes it (`2026-11-26T124510Z`): nothing else is put in a path. */
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The `data` member of `/config.json`, or null when it is missing or malformed. */
export function publishedData(config: unknown): PublishedData | null {
	const data = (config as { data?: unknown } | null)?.data as Partial<PublishedData> | undefined;
	if (!data || typeof data.version !== 'string' || !VERSION.test(data.version) || typeof data.schema_version !== 'number') return null;
	return { version: data.version, schema_version: data.schema_version };
}

/**
 * The files the first view of `id` reads, relative to `extracts/` (the layout's paths, from
 * the contracts: a scope's summary beside its extract's path; its benchmarks in the Regione's
 * benchmark file from schema 3, in `summary/italia.json` before). The benchmark file of an ATS
 * or Comune needs its Regione, which only the manifest says: not guessed.
 */
export function firstViewPaths(data: PublishedData, id: TerritoryId): string[] {
	const at = (rel: string) => `${data.version}/${rel}`;
	const italia = at(summaryPath(extractPath('it')!));
	if (id === 'it') return [italia];
	const level = levelOf(id);
	const file = extractPath(id);
	if (!file) return [];
	const own = at(summaryPath(file));
	if (data.schema_version < 3) return [own, italia];
	return level === 'regione' ? [own, at(benchmarkSummaryPath(id))] : [own];
}

/** The levels `italia.parquet` holds (DESIGN.md "Extracts"): Italia, every Regione, every Provincia. */
const IN_ITALIA_FILE = new Set(['italia', 'regione', 'provincia']);

/**
 * The file the first DuckDB answer for `id`'s view reads, when a smaller one than `id`'s own
 * holds every one of `ids` (the territory and its benchmarks): `italia.parquet`, readable by
 * every user, for a Regione (Lombardia: 24,064 rows against its own file's 301,552; every row
 * group of a Regione file holds every territory, so no filter skips any). Null otherwise: the
 * territory's own file answers, as its table is built from it (decision 0032 addendum).
 */
export function smallerSource(m: Manifest, id: TerritoryId, ids: readonly TerritoryId[]): ManifestFile | null {
	if (!ids.every((x) => IN_ITALIA_FILE.has(levelOf(x) ?? ''))) return null;
	const italia = m.files.find((f) => f.kind === 'extract' && f.scope === 'it') ?? null;
	const own = m.files.find((f) => f.kind === 'extract' && f.scope === id) ?? null;
	return italia && own && italia.rows < own.rows ? italia : null;
}
