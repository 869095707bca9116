/**
 * The write → verify stages alone, on the rows of a published version (no microdata):
 * `npx node bench/pipeline-write.ts EXTRACTS_DIR OUT_DIR [--detail RR,RR]` rebuilds the
 * build's `extract` table from EXTRACTS_DIR's italia.parquet and regione files, then times
 * writeExtracts, writeSummaries, the manifest (sha256) and verifyVersion into OUT_DIR/.staging-*.
 * `--previous VERSION` (a version folder in OUT_DIR holding the same months but the last): the
 * write and verify of a build that only adds a month, from that version's files.
 * PIPELINE_SQL_TRACE=1 prints each SQL statement's time. Prints one JSON line.
 * Runs closer than ~2 minutes apart are not comparable on this machine: the staging folder
 * deleted at the end of one (17,000 files) makes the next one's file creation slow (ext4
 * without a journal scans recently deleted inodes; decision 0027, addendum of 27 Nov, afternoon).
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EXTRACT_COLUMNS } from '../contracts/extract.ts';
import { MANIFEST_SCHEMA_VERSION, type Manifest } from '../contracts/manifest.ts';
import { openDb, sqlString } from '../data-pipeline/db.ts';
import { monthOfDay } from '../data-pipeline/months.ts';
import { describeFiles, readManifest, sha256File } from '../data-pipeline/publish.ts';
import { footerOf, rowGroupsOfFooter } from '../data-pipeline/parquet-footer.ts';
import { scopeOfPath } from '../data-pipeline/verify-files.ts';
import { writeSummaries } from '../data-pipeline/summaries.ts';
import { verifyVersion } from '../data-pipeline/verify.ts';
import { writeExtracts } from '../data-pipeline/write-extracts.ts';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { detail: { type: 'string' }, 'keep-staging': { type: 'boolean' }, 'write-only': { type: 'boolean' }, previous: { type: 'string' } } });
const [src, out] = positionals;
if (!src || !out) throw new Error('usage: pipeline-write.ts EXTRACTS_DIR OUT_DIR [--detail RR,RR]');
const published = readManifest(src)!;
const canon = published.files.filter((f) => f.kind === 'extract' && (f.scope === 'it' || f.scope.startsWith('r:'))).map((f) => sqlString(join(src, f.path)));
const times: Record<string, number> = {};
const cpu: Record<string, number> = {};
async function step<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
	const t = performance.now();
	const c = process.cpuUsage();
	const v = await fn();
	times[name] = +((performance.now() - t) / 1000).toFixed(2);
	const d = process.cpuUsage(c);
	cpu[name] = +((d.user + d.system) / 1e6).toFixed(2);
	console.error(`[${name}] ${times[name]} s wall, ${cpu[name]} s CPU`);
	return v;
}
const version = 'bench-version';
const staging = join(out, `.staging-${version}`);
rmSync(staging, { recursive: true, force: true });
const db = await openDb({ tempDir: join(out, '.duckdb-tmp') });
const cols = EXTRACT_COLUMNS.map((c) => c.name).join(', ');
await step('load', () =>
	db.run(
		`CREATE TABLE extract AS SELECT CASE WHEN level = 'italia' THEN 'it' WHEN level = 'regione' THEN substr(territory_id, 3) WHEN level IN ('provincia', 'ats') THEN substr(parent_id, 3) ELSE fr END AS region,
			dense_rank() OVER (ORDER BY territory_id)::INTEGER AS tid, list_position(['ADI', 'PdC', 'RdC', 'SFL'], measure) AS ms, ${cols}
		FROM (SELECT DISTINCT ${cols}, CASE WHEN filename LIKE '%/regione/%' THEN parse_filename(filename, true) END AS fr FROM read_parquet([${canon.join(', ')}], filename = true)
			QUALIFY row_number() OVER (PARTITION BY territory_id, month, measure ORDER BY fr NULLS LAST) = 1)`
	)
);
/** A manifest of a version folder from its files (the previous version's, for --previous). */
function manifestOfFolder(root: string, v: string): Manifest {
	const list = (dir: string): string[] => readdirSync(join(root, v, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? list(join(dir, e.name)) : [join(dir, e.name)]));
	const files = list('').map((rel) => {
		const abs = join(root, v, rel);
		const kind = rel.startsWith('summary/') ? ('summary' as const) : ('extract' as const);
		const rows = kind === 'extract' ? rowGroupsOfFooter(footerOf(readFileSync(abs))).rows : 1;
		return { path: `${v}/${rel}`, scope: kind === 'extract' ? scopeOfPath(rel)! : 'it', within: [], kind, rows, bytes: statSync(abs).size, sha256: sha256File(abs) };
	});
	return { ...published, version: v, files };
}
const previous = values.previous ? await step('previous manifest (sha256)', () => manifestOfFolder(out, values.previous!)) : undefined;
const written = await step('write extracts', () => writeExtracts(db, staging, { detailRegions: values.detail?.split(','), previous: previous && join(out, previous.version) }));
const extracts = written.files;
const from = written.fromDay === undefined ? undefined : monthOfDay(written.fromDay);
const summaries = await step('write summaries', () => writeSummaries(db, staging, version, extracts, from ? { root: out, manifest: previous!, from } : undefined));
db.close();
const manifest: Manifest = await step('manifest (sha256)', () => ({
	...published,
	schema_version: MANIFEST_SCHEMA_VERSION,
	version,
	files: describeFiles(staging, version, [
		...extracts.map((f) => ({ ...f, within: [] as string[], kind: 'extract' as const })),
		...summaries.map((f) => ({ ...f, within: [] as string[], kind: 'summary' as const }))
	])
}));
// within is the build's (makeManifest): taken from the published manifest by scope
const within = new Map(published.files.map((f) => [f.scope, f.within]));
for (const f of manifest.files) f.within = within.get(f.scope) ?? [];
if (!values['write-only']) await step('verify', () => verifyVersion(out, manifest, { staging, previous }));
if (!values['keep-staging']) rmSync(staging, { recursive: true, force: true });
rmSync(join(out, '.duckdb-tmp'), { recursive: true, force: true });
console.log(JSON.stringify({ files: manifest.files.length, seconds: times, cpuSeconds: cpu }));
