/**
 * `pipeline build`: validate → aggregate → suppress → write → verify → publish, each stage
 * reported with counts and timings. Nothing is published unless every stage succeeds.
 */
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MEASURE_PERIODS, MEASURES, SUPPRESSION_THRESHOLD } from '../contracts/extract.ts';
import { MANIFEST_SCHEMA_VERSION, type Manifest, type ManifestFile } from '../contracts/manifest.ts';
import { readAhead, type ReadAhead } from './read-ahead.ts';
import { readAtsMapCsv, syntheticAtsMap, type AtsMap } from './ats-map.ts';
import { writeBoundaries } from './boundaries.ts';
import { pruneEntries, readPublishedKeys, saveInputIndex, savePublishedKeys, type InputFile } from './cache.ts';
import { compareWithPrevious, type Changes } from './changes.ts';
import { computeMonths } from './compute.ts';
import { openDb } from './db.ts';
import { buildExtractTable } from './extract-table.ts';
import { timed, type Logger } from './log.ts';
import { lastCompleteMonth, monthOfDay } from './months.ts';
import { cleanLeftovers, describeFiles, ensureRoot, newVersion, prune, publish, readManifest, sha256File } from './publish.ts';
import { listMicrodataFiles } from './read-microdata.ts';
import type { Registry } from './registry.ts';
import { writeSummaries } from './summaries.ts';
import { loadTerritories } from './territories.ts';
import { verifyVersion } from './verify.ts';
import { incrementalFromDay, layoutOf, writeExtracts, type WrittenExtracts, type WrittenFile } from './write-extracts.ts';

export interface BuildOptions {
	microdata: string;
	out: string;
	registry: Registry;
	atsMap?: string;
	boundaries?: string;
	keep?: number;
	/** Whether the microdata are synthetic (the generator's output); recorded in the manifest. */
	syntheticMicrodata?: boolean;
	/** Defaults to the last complete month (months after it are rejected). */
	lastMonth?: string;
	log: Logger;
	/** false (`--no-cache`): recompute every month instead of reusing unchanged ones (the cache is refreshed). */
	cache?: boolean;
	/** Write ATS and Comune files only for these Regioni (default: all). The demo uses it to stay fast. */
	detailRegions?: string[];
	/** Rows per Regione row group (default 16,384); tests use fewer to have several. */
	groupRows?: number;
	/** Test hook: called after the version is written and verified, before the manifest switch. */
	beforePublish?: () => void | Promise<void>;
}

export interface BuildReport {
	version: string;
	months: { from: string; to: string; count: number };
	territories: number;
	households: number;
	rows: number;
	files: number;
	bytes: number;
	suppressed: { primary: number; secondary: number };
	/** Months computed from the inputs in this run; the others came from the month cache. */
	recomputedMonths: string[];
	/** Household-months read and validated in this run. */
	householdsRead: number;
	/** Set when the extracts kept the previous version's row groups before this month (`YYYY-MM`). */
	incrementalFrom?: string;
	/** Set when verify decoded the rows from this day on (`YYYY-MM-DD`): the earlier ones are the previous version's. */
	verifiedFrom?: string;
	changes: Changes;
	pruned: string[];
	seconds: Record<string, number>;
}

/** Runs the whole build and publishes a new version; throws (publishing nothing) on any fault. */
export async function build(opts: BuildOptions): Promise<BuildReport> {
	const { log } = opts;
	const seconds: Record<string, number> = {};
	const t0 = performance.now();
	ensureRoot(opts.out);
	cleanLeftovers(opts.out, log);
	const files = listMicrodataFiles(opts.microdata);
	const ats: AtsMap = opts.atsMap ? readAtsMapCsv(opts.atsMap, opts.registry) : syntheticAtsMap(opts.registry);
	if (ats.unknownComuni.length) log.warn(`ATS map: ${ats.unknownComuni.length} Comuni not in the registry (ignored, they have no residents here): ${ats.unknownComuni.slice(0, 10).join(', ')}`);
	const db = await openDb({ tempDir: join(opts.out, '.duckdb-tmp') });
	let open = true;
	const closeDb = () => {
		if (open) db.close();
		open = false;
	};
	const previous = readManifest(opts.out);
	const version = newVersion(opts.out);
	const staging = join(opts.out, `.staging-${version}`);
	// a build that adds a month reads every file of the previous version: from disk, many at a time
	// (PIPELINE_READ_AHEAD=0: not, for an A/B)
	let ahead: ReadAhead | undefined = previous && opts.cache !== false && process.env.PIPELINE_READ_AHEAD !== '0' ? readAhead(readAheadOrder(previous).map((p) => join(opts.out, p))) : undefined;
	const stopReadingAhead = async () => {
		const r = await ahead?.stop();
		ahead = undefined;
		return r;
	};
	try {
		const territories = await loadTerritories(db, opts.registry, ats);
		const checked = await computeMonths(db, { root: opts.out, files, registry: opts.registry, ats, lastMonth: opts.lastMonth ?? lastCompleteMonth(), useCache: opts.cache ?? true, log, seconds });
		saveInputIndex(opts.out, checked.inputs);
		const published = readPublishedKeys(opts.out);
		const base = opts.cache === false ? null : appendOnlyBase(opts.out, previous, published, checked.months, checked.keys);
		const [written, tw] = await timed(async () => {
			const writeAll = (e: unknown) => log.info(`writing every file again: the previous version's row groups do not fit (${(e as Error).message})`);
			// a build that only adds months reads the rows it writes again (and Italia's, Regioni's, Province's)
			let fromDay: number | undefined;
			if (base)
				try {
					fromDay = incrementalFromDay(base, layoutOf(`${checked.months.at(-1)!}-01`, opts.groupRows));
				} catch (e) {
					writeAll(e);
				}
			await buildExtractTable(db, { fromDay });
			// the summaries and boundaries are written on the main thread while the worker threads write the extracts
			const alongside = async (planned: WrittenFile[], fromDay: number | undefined) => {
				const from = fromDay === undefined ? undefined : monthOfDay(fromDay);
				const summaries = await writeSummaries(db, staging, version, planned, from ? { root: opts.out, manifest: previous!, from } : undefined);
				const geo = opts.boundaries ? await writeBoundaries(opts.boundaries, opts.registry, ats, staging, log) : [];
				return { summaries, geo };
			};
			const write = (prev?: string) => writeExtracts(db, staging, { detailRegions: opts.detailRegions, previous: prev, fromDay: prev ? fromDay : undefined, groupRows: opts.groupRows, alongside });
			let extracts: WrittenExtracts<Awaited<ReturnType<typeof alongside>>> | undefined;
			if (base && fromDay !== undefined)
				try {
					extracts = await write(base);
				} catch (e) {
					writeAll(e);
					rmSync(staging, { recursive: true, force: true });
					await buildExtractTable(db);
				}
			extracts ??= await write();
			const { summaries, geo } = extracts.alongside!;
			return { extracts: extracts.files, fromDay: extracts.fromDay, summaries, geo };
		});
		const read = await stopReadingAhead();
		if (read?.cached) log.info(`read ahead: not needed, the previous version's files are in memory`);
		else if (read) log.info(`read ahead: ${read.files} files of the previous version (${(read.bytes / 1e6).toFixed(0)} MB) in ${(read.ms / 1000).toFixed(1)} s${read.done ? '' : ', stopped after the write'}`);
		const manifest = makeManifest(opts, version, ats, checked.months, staging, written, checked.inputs);
		const bytes = manifest.files.reduce((s, f) => s + f.bytes, 0);
		const incrementalFrom = written.fromDay === undefined ? undefined : monthOfDay(written.fromDay);
		log.stage(
			'write',
			`${written.extracts.length} extracts${incrementalFrom ? ` (row groups before ${incrementalFrom} kept from the previous version)` : ''}, ${written.summaries.length} summaries, ${written.geo.length} boundary files, ${(bytes / 1e6).toFixed(1)} MB`,
			(seconds.write = tw)
		);
		// months whose key equals the previous publication's are identical to it: not compared
		const onlyMonths = previous && published?.version === previous.version ? checked.months.filter((m) => published.keys[m] !== checked.keys.get(m)) : undefined;
		const changes = await compareWithPrevious(db, opts.out, previous, onlyMonths);
		// (one extract row per cell; the table may hold only the months written again)
		const [{ rows }] = await db.all<{ rows: bigint }>(`SELECT count(*) AS rows FROM monthcells`);
		// verify reads the files with a database of its own: it gets the whole memory budget
		closeDb();
		const [verified, tver] = await timed(() => verifyVersion(opts.out, manifest, { staging, previous: incrementalFrom ? previous! : undefined }));
		log.stage(
			'verify',
			`checksums, schema, disclosure rule and totals of ${manifest.files.length} files${verified.from ? ` (rows from ${verified.from.slice(0, 7)}: the earlier row groups are the previous version's, byte for byte)` : ''}`,
			(seconds.verify = tver)
		);
		await opts.beforePublish?.();
		publish(opts.out, staging, manifest);
		const pruned = opts.keep ? prune(opts.out, opts.keep, version) : [];
		savePublishedKeys(opts.out, version, checked.keys);
		pruneEntries(opts.out, checked.entries);
		seconds.total = (performance.now() - t0) / 1000;
		log.stage('publish', `version ${version}${pruned.length ? `, pruned ${pruned.join(', ')}` : ''}`, seconds.total);
		return {
			version,
			months: { from: checked.months[0]!, to: checked.months.at(-1)!, count: checked.months.length },
			territories: territories.length,
			households: checked.households,
			householdsRead: checked.rowsRead,
			recomputedMonths: checked.recomputed,
			incrementalFrom,
			verifiedFrom: verified.from,
			rows: Number(rows),
			files: manifest.files.length,
			bytes,
			suppressed: checked.suppressed,
			changes,
			pruned,
			seconds
		};
	} catch (e) {
		// PIPELINE_KEEP_FAILED=1 keeps the unpublished folder for inspection
		if (process.env.PIPELINE_KEEP_FAILED !== '1') rmSync(staging, { recursive: true, force: true });
		throw e;
	} finally {
		await stopReadingAhead();
		closeDb();
		rmSync(join(opts.out, '.duckdb-tmp'), { recursive: true, force: true });
	}
}

/** The previous version's files in the order a monthly build reads them: the summaries (main thread) and the extracts (workers) side by side. */
function readAheadOrder(previous: Manifest): string[] {
	const summaries = previous.files.filter((f) => f.kind === 'summary').map((f) => f.path);
	const others = previous.files.filter((f) => f.kind !== 'summary').map((f) => f.path);
	const out: string[] = [];
	for (let i = 0; i < Math.max(summaries.length, others.length); i++) {
		if (i < others.length) out.push(others[i]!);
		if (i < summaries.length) out.push(summaries[i]!);
	}
	return out;
}

/** `YYYY-MM` of a day number (days since 1970-01-01). */

/**
 * The oldest manifest schema whose extracts and summaries are those of MANIFEST_SCHEMA_VERSION
 * (6 changed only the boundary files, written whole by every build): a build may keep their row groups.
 */
const SAME_EXTRACTS_SINCE_SCHEMA = 5;

/**
 * The previous version's folder when this build only adds months after its last one, in the
 * same year (every earlier month has the key it was published with): its files' row groups
 * before the new months are kept. Null otherwise (a revision, a new year, a new registry or ATS
 * map — whose keys differ —, no previous version).
 */
function appendOnlyBase(root: string, previous: Manifest | null, published: { version: string; keys: Record<string, string> } | null, months: string[], keys: Map<string, string>): string | null {
	if (!previous || previous.schema_version < SAME_EXTRACTS_SINCE_SCHEMA || published?.version !== previous.version) return null;
	const last = previous.period.to;
	const old = months.filter((m) => m <= last);
	const added = months.filter((m) => m > last);
	if (!added.length || added.at(-1)!.slice(0, 4) !== last.slice(0, 4)) return null;
	if (old.length !== Object.keys(published.keys).length || old.some((m) => published.keys[m] !== keys.get(m))) return null;
	const dir = join(root, previous.version);
	return existsSync(dir) ? dir : null;
}

/** The territories containing a scope: `['r:RR', 'a:CODE']` for a Comune, `['r:RR']` for an ATS. */
function withinOf(scope: string, parentOf: Map<string, string | null>): string[] {
	if (scope.startsWith('c:')) {
		const a = parentOf.get(scope)!;
		return [parentOf.get(a)!, a];
	}
	if (scope.startsWith('a:')) return [parentOf.get(scope)!];
	return [];
}

function makeManifest(
	opts: BuildOptions,
	version: string,
	ats: AtsMap,
	months: string[],
	staging: string,
	written: { extracts: WrittenFile[]; summaries: WrittenFile[]; geo: WrittenFile[] },
	inputFiles: InputFile[]
): Manifest {
	const parentOf = new Map<string, string | null>();
	for (const c of opts.registry.comuni) {
		const a = `a:${ats.comuneToAts.get(c.code)}`;
		parentOf.set(`c:${c.code}`, a);
		parentOf.set(a, `r:${c.region}`);
	}
	const entries: (Omit<ManifestFile, 'bytes' | 'sha256'> & Partial<Pick<ManifestFile, 'bytes' | 'sha256'>>)[] = [
		...written.extracts.map((f) => ({ path: f.path, scope: f.scope, within: withinOf(f.scope, parentOf), kind: 'extract' as const, rows: f.rows, bytes: f.bytes, sha256: f.sha256 })),
		...written.summaries.map((f) => ({ path: f.path, scope: f.scope, within: withinOf(f.scope, parentOf), kind: 'summary' as const, rows: f.rows })),
		...written.geo.map((f) => ({ path: f.path, scope: 'it', within: [], kind: 'boundaries' as const, rows: f.rows }))
	];
	const microdataHash = createHash('sha256');
	for (const f of inputFiles) microdataHash.update(f.sha256);
	return {
		schema_version: MANIFEST_SCHEMA_VERSION,
		version,
		published_at: new Date().toISOString(),
		period: { from: months[0]!, to: months.at(-1)! },
		measures: MEASURES.filter((m) => months.some((mm) => mm >= MEASURE_PERIODS[m].from && (!MEASURE_PERIODS[m].to || mm <= MEASURE_PERIODS[m].to!))),
		suppression_threshold: SUPPRESSION_THRESHOLD,
		synthetic: { microdata: opts.syntheticMicrodata ?? false, ats_map: ats.synthetic },
		sources: {
			microdata: { description: `${inputFiles.length} household microdata files${opts.syntheticMicrodata ? ' (synthetic)' : ''}`, sha256: microdataHash.digest('hex') },
			registry: { description: `Territory registry ${opts.registry.source}` },
			ats_map: ats.synthetic
				? { description: 'Synthetic Comune→ATS map (contiguous Comuni of one Provincia, ~100k residents each)' }
				: { description: 'Comune→ATS map', sha256: sha256File(opts.atsMap!) },
			...(opts.boundaries ? { boundaries: { description: 'Comuni boundaries (TopoJSON)', sha256: sha256File(opts.boundaries) } } : {})
		},
		files: describeFiles(staging, version, entries)
	};
}
