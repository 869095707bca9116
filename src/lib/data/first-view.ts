/**
 * The first view's summaries requested beside the manifest, not after it (decision 0032). The
 * gateway's `/config.json` (fetched at page load, before the token) names the published
 * version; the summary paths follow from it and from the pipeline's file layout, so their
 * requests leave with the manifest's. Nothing is trusted early: the bytes are used only once the
 * manifest lists the same path with their sha256 (`ExtractStore.early`), and a wrong guess (a
 * publish in between, a layout this code does not know) costs one refused request, no error.
 */
import { codeOf, levelOf, type TerritoryId } from '#contracts';

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

const FOLDER = { regione: 'regione', ats: 'ats', comune: 'comune' } as const;

/**
 * The files the first view of `id` reads, relative to `extracts/` (data-pipeline: a scope's
 * summary is `summary/<its extract's path>.json`; the benchmarks are in the Regione's
 * `summary/benchmarks/RR.json` from schema 3, in `summary/italia.json` before). The benchmark
 * file of an ATS or Comune needs its Regione, which only the manifest says: not guessed.
 */
export function firstViewPaths(data: PublishedData, id: TerritoryId): string[] {
	const at = (rel: string) => `${data.version}/${rel}`;
	if (id === 'it') return [at('summary/italia.json')];
	const level = levelOf(id);
	if (level !== 'regione' && level !== 'ats' && level !== 'comune') return [];
	const own = at(`summary/${FOLDER[level]}/${codeOf(id)}.json`);
	if (data.schema_version < 3) return [own, at('summary/italia.json')];
	return level === 'regione' ? [own, at(`summary/benchmarks/${codeOf(id)}.json`)] : [own];
}
