/**
 * Verification of a version from its files alone (what `pipeline verify` and every build
 * run): checksums and sizes, scope/within of each file, schema and sort order, rows per
 * file, the disclosure rule (no published count of 1 or 2, flags ↔ NULLs, derived values
 * hidden with nuclei), no equation with exactly one hidden term, totals consistent across
 * levels and categories where nothing is hidden, and the scoped files' contents (own rows,
 * benchmark rows identical to italia.parquet's, no ATS rows in a Comune file).
 */
import { join } from 'node:path';
import { CATEGORY_PARTITIONS, EXTRACT_COLUMNS, SUPPRESSION_THRESHOLD } from '../contracts/extract.ts';
import type { Manifest, ManifestFile } from '../contracts/manifest.ts';
import { notApplicable } from './aggregate.ts';
import { openDb, sqlString, type Db } from './db.ts';
import { traceMarks } from './log.ts';
import { dayOfMonth } from './months.ts';
import { bitOfColumn } from './extract-table.ts';
import { readManifest } from './publish.ts';
import { benchmarkTexts, previousSeries, summarySchemaOf, summaryTexts, territoryJsons } from './summaries.ts';
import { appendSeries, seriesFromTable, type TerritorySeries } from './summary-series.ts';
import { SharedWithPrevious } from './verify-previous.ts';
import { checkScopedFiles } from './verify-scoped.ts';
import { SUPPRESSION_COLUMNS } from './suppress.ts';
import { checkFiles, type ExtractJob, type ExtractResult } from './verify-files.ts';
import { inJobOrder, inWorkerThreads } from './workers.ts';
import { footerOf, readParquetSchema, schemaOfFooter, type SchemaElement } from './parquet-footer.ts';
import { CONVERTED, REPETITION, TYPE } from './parquet-format.ts';

export class VerificationError extends Error {
	faults: string[];
	constructor(faults: string[]) {
		super(`Verification failed:\n  ${faults.slice(0, 20).join('\n  ')}${faults.length > 20 ? `\n  … and ${faults.length - 20} more` : ''}`);
		this.name = 'VerificationError';
		this.faults = faults;
	}
}

/**
 * Runs every check on `manifest` (files under `root`, or under `staging` before publication).
 * With `previous` (the published manifest, under `root`: a build that only added months), the
 * row groups each extract shares byte for byte with the previous version's file are not
 * decoded again (verify-previous.ts); the checks run on the rows of the other row groups.
 */
export async function verifyVersion(root: string, manifest: Manifest, opts: { staging?: string; previous?: Manifest } = {}): Promise<{ rows: number; from?: string }> {
	const resolve = (p: string) => (opts.staging ? join(opts.staging, p.slice(manifest.version.length + 1)) : join(root, p));
	const faults: string[] = [];
	const mark = traceMarks('verify');
	const shared = opts.previous ? new SharedWithPrevious(root, opts.previous) : undefined;
	// each extract's schema, from the bytes read for its checksum
	const schemas = new Map<string, SchemaElement[] | Error>();
	// the ATS and Comune files (~8,500) in worker threads; the others here
	const scoped = (f: ManifestFile) => f.kind === 'extract' && (f.scope.startsWith('a:') || f.scope.startsWith('c:'));
	const summaries = await checkFiles({ ...manifest, files: manifest.files.filter((f) => !scoped(f)) }, resolve, faults, (f, bytes) => {
		try {
			schemas.set(f.path, bytes ? schemaOfFooter(footerOf(bytes)) : readParquetSchema(resolve(f.path)));
		} catch (e) {
			schemas.set(f.path, e as Error);
		}
		shared?.extract(manifest.version, f, bytes, faults);
	});
	const jobs: ExtractJob[] = manifest.files
		.filter(scoped)
		.map((f) => ({ f, abs: resolve(f.path), version: manifest.version, previous: shared ? shared.previousOf(f.path.slice(manifest.version.length + 1)) : undefined }));
	const results = inJobOrder(await inWorkerThreads<ExtractJob, ExtractResult[]>(new URL('./verify-files-worker.ts', import.meta.url), jobs, (share) => ({ jobs: share }), 'PIPELINE_VERIFY_WORKERS'), jobs.length);
	results.forEach((r, k) => {
		const path = jobs[k]!.f.path;
		faults.push(...r.faults);
		if (r.schema !== null) schemas.set(path, typeof r.schema === 'string' ? new Error(r.schema) : r.schema);
		if (r.sharing !== undefined) shared?.note(path, r.sharing);
	});
	if (faults.length) throw new VerificationError(faults);
	mark(`checksums and footers${shared ? ', and the previous version\'s' : ''}`);
	// the rows checked: from the first row group not shared with the previous version
	const from = shared?.from();
	const since = from ? `WHERE month >= DATE '${from}'` : '';
	// the canonical files first: italia.parquet and the Regione files hold every territory, whole
	const all = manifest.files.filter((f) => f.kind === 'extract');
	const canonical = all.filter((f) => f.scope === 'it' || f.scope.startsWith('r:'));
	const extracts = [...canonical, ...all.filter((f) => !canonical.includes(f))];
	if (!canonical.some((f) => f.scope === 'it')) faults.push(`${manifest.version}/italia.parquet: not in the manifest`);
	checkSchema(extracts, schemas, faults);
	if (faults.length) throw new VerificationError(faults);
	const db = await openDb();
	try {
		// fid: the canonical file's position (read_parquet's file_index)
		await db.load('mf', { fid: 'INTEGER', path: 'VARCHAR', scope: 'VARCHAR', within: 'VARCHAR', rows: 'INTEGER' }, canonical.map((f, k) => [k, resolve(f.path), f.scope, f.within.join(','), f.rows]));
		const files = (fs: ManifestFile[]) => `[${fs.map((f) => sqlString(resolve(f.path))).join(', ')}]`;
		// The canonical files are decoded by DuckDB, once (c); the ATS and Comune files by the
		// pipeline's reader, compared with these rows (verify-scoped.ts).
		await db.run(`CREATE TABLE c AS SELECT file_index::INTEGER AS fid, file_row_number AS rn, ${ALL} FROM read_parquet(${files(canonical)}, file_row_number = true) ${since}`);
		await db.run(`CREATE TABLE v AS SELECT fid, rn, territory_id, month, measure, hash(${ALL}) AS h FROM c`);
		// The canonical rows (t): italia.parquet's, and the ATS and Comune rows of the Regione files
		// (their Regione and Italia rows must equal italia.parquet's: the fingerprint check below).
		const italia = canonical.findIndex((f) => f.scope === 'it');
		await db.run(`CREATE VIEW t AS SELECT ${ALL} FROM c WHERE fid = ${italia} OR (fid <> ${italia} AND level IN ('ats', 'comune'))`);
		// Each territory's Regione, from the parent chain (a Comune's parent is its ATS).
		await db.run(
			`CREATE TABLE terr AS WITH d AS (SELECT DISTINCT territory_id, level, parent_id FROM t)
			SELECT d.*, CASE WHEN d.level = 'regione' THEN substr(d.territory_id, 3) WHEN d.level IN ('ats', 'provincia') THEN substr(d.parent_id, 3)
				WHEN d.level = 'comune' THEN substr(a.parent_id, 3) END AS region
			FROM d LEFT JOIN d a ON a.territory_id = d.parent_id`
		);
		if (from) await sameEarlierRows(db, resolve(extracts[italia]!.path), shared!.italia(faults), from, faults);
		mark('rows decoded');
		const rows = await checkContents(db, faults, !from);
		if (faults.length) throw new VerificationError(faults);
		mark('contents checked');
		// the summaries are checked on the main thread while worker threads check the ATS and
		// Comune files; their faults are reported after the files' (as when they ran after them)
		const summaryFaults: string[] = [];
		const checkSummaryFiles = async () => {
			if (manifest.schema_version < 2) return;
			// the summaries' months before `from` are the previous version's
			const texts = from ? shared!.summaries(summaryFaults) : undefined;
			if (summaryFaults.length) return;
			const earlier = texts ? previousSeries(root, shared!.previous, from!.slice(0, 7), texts) : undefined;
			await checkSummaries(db, manifest, summaries, summaryFaults, earlier);
			mark('summaries checked');
		};
		const scopedRows = await checkScopedFiles(db, extracts.slice(canonical.length), (f) => resolve(f.path), { first: dayOfMonth(manifest.period.from), last: dayOfMonth(manifest.period.to) }, faults, (f) => shared?.groups(f) ?? 0, checkSummaryFiles);
		if (faults.length) throw new VerificationError(faults);
		mark('ATS and Comune files checked');
		faults.push(...summaryFaults);
		if (faults.length) throw new VerificationError(faults);
		return from ? { rows: extracts.reduce((s, f) => s + f.rows, 0), from } : { rows: rows + scopedRows };
	} finally {
		db.close();
	}
}

const ALL = EXTRACT_COLUMNS.map((c) => c.name).join(', ');

/** italia.parquet's rows before `from` are the previous version's (the file is written whole each time). */
async function sameEarlierRows(db: Db, italia: string, previous: string | null, from: string, faults: string[]): Promise<void> {
	if (!previous) {
		faults.push(`italia.parquet: the previous version's is missing or changed`);
		return;
	}
	const sql = (file: string) => `SELECT count(*) AS n, bit_xor(hash(${ALL})) AS h FROM read_parquet(${sqlString(file)}) WHERE month < DATE '${from}'`;
	const [a] = await db.all<{ n: bigint; h: bigint }>(sql(italia));
	const [b] = await db.all<{ n: bigint; h: bigint }>(sql(previous));
	if (a!.n !== b!.n || a!.h !== b!.h) faults.push(`italia.parquet: rows before ${from} differ from the previous version's`);
}

/**
 * Each summary file is the one built from the extract rows (schema 2 manifests; older summaries
 * are only hashed); with `earlier`, the months before the rows checked come from it.
 */
async function checkSummaries(db: Db, manifest: Manifest, texts: Map<string, string>, faults: string[], earlier?: Map<string, TerritorySeries>): Promise<void> {
	const files = manifest.files.filter((f) => f.kind === 'summary');
	if (!files.length) return;
	const checked = await seriesFromTable(db, 't');
	const schema = summarySchemaOf(manifest.schema_version);
	const rows = territoryJsons(earlier ? appendSeries(earlier, checked) : checked, schema);
	const known = new Set(rows.map((r) => r.territory_id));
	const missing = files.filter((f) => !known.has(f.scope));
	for (const f of missing.slice(0, 10)) faults.push(`${f.path}: no extract rows for scope ${f.scope}`);
	if (missing.length) return;
	const expected = summaryTexts(manifest.version, rows, files.map((f) => f.scope), { ats: manifest.schema_version >= 4, schema });
	// the Regioni's benchmark files (scope it, like italia.json), by path; listed from schema 3 on
	const benchmarks = new Map([...benchmarkTexts(manifest.version, rows, schema)].map(([p, text]) => [`${manifest.version}/${p}`, text]));
	if (manifest.schema_version >= 3) for (const p of benchmarks.keys()) if (!files.some((f) => f.path === p)) faults.push(`${p}: benchmark summary missing`);
	const wrong = files.filter((f) => texts.get(f.path) !== (benchmarks.get(f.path) ?? expected.get(f.scope)));
	for (const f of wrong.slice(0, 10)) faults.push(`${f.path}: summary differs from the extract rows`);
	if (wrong.length > 10) faults.push(`… and ${wrong.length - 10} more summaries differ`);
}

/** The schema elements every extract must have (name:type:repetition:children:converted), as DuckDB writes them. */
function expectedSchema(): string[] {
	const el = (name: string, type?: number, repetition?: number, children?: number, converted?: number) => `${name}:${type ?? ''}:${repetition ?? ''}:${children ?? ''}:${converted ?? ''}`;
	const { OPTIONAL, REPEATED } = REPETITION;
	const out = [el('duckdb_schema', undefined, REPETITION.REQUIRED, EXTRACT_COLUMNS.length)];
	for (const c of EXTRACT_COLUMNS) {
		if (c.type === 'VARCHAR[]') out.push(el(c.name, undefined, OPTIONAL, 1, CONVERTED.LIST), el('list', undefined, REPEATED, 1), el('element', TYPE.BYTE_ARRAY, OPTIONAL, undefined, CONVERTED.UTF8));
		else
			out.push(
				{
					VARCHAR: el(c.name, TYPE.BYTE_ARRAY, OPTIONAL, undefined, CONVERTED.UTF8),
					DATE: el(c.name, TYPE.INT32, OPTIONAL, undefined, CONVERTED.DATE),
					INTEGER: el(c.name, TYPE.INT32, OPTIONAL, undefined, CONVERTED.INT_32),
					DOUBLE: el(c.name, TYPE.DOUBLE, OPTIONAL)
				}[c.type]
			);
	}
	return out;
}
/** The logical type (LogicalType union member) an element may carry besides its converted type: STRING 1, LIST 3, DATE 6, INTEGER 10. */
const LOGICAL: Record<number, number> = { [CONVERTED.UTF8]: 1, [CONVERTED.LIST]: 3, [CONVERTED.DATE]: 6, [CONVERTED.INT_32]: 10 };

/**
 * Every extract's schema, read from its footer: names, physical types, repetition, nesting and
 * converted types as DuckDB writes them (the root's name aside), and no logical type other than
 * the one its converted type implies.
 */
function checkSchema(files: ManifestFile[], schemas: Map<string, SchemaElement[] | Error>, faults: string[]): void {
	const expected = expectedSchema();
	const text = expected.slice(1).join(', ');
	let bad = 0;
	for (const f of files) {
		const schema = schemas.get(f.path) ?? new Error('not read');
		let got: string[];
		let logical = true;
		if (schema instanceof Error) got = ['', `unreadable footer: ${schema.message}`];
		else {
			got = schema.map((e, k) => `${k === 0 ? 'duckdb_schema' : e.name}:${e.type ?? ''}:${e.repetition ?? ''}:${e.children ?? ''}:${e.converted ?? ''}`);
			logical = schema.every((e) => e.logical === undefined || (e.converted !== undefined && LOGICAL[e.converted] === e.logical));
		}
		if (got.length === expected.length && got.every((g, k) => g === expected[k]) && logical) continue;
		if (bad++ < 10) faults.push(`${f.path}: columns ${got.slice(1).join(', ')}${logical ? '' : ' (unexpected logical type)'}, expected ${text}`);
	}
}

async function first(db: Db, faults: string[], label: string, sql: string): Promise<void> {
	const rows = await db.all<Record<string, unknown>>(`${sql} LIMIT 5`);
	for (const r of rows) faults.push(`${label}: ${JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? Number(v) : v))}`);
}

/** The checks on the canonical files (italia.parquet and the Regione files, table `mf`) and their rows (`t`). */
async function checkContents(db: Db, faults: string[], countRows: boolean): Promise<number> {
	// (a version checked from its shared row groups on has its row counts checked from the footers)
	if (countRows) await first(db, faults, 'row count differs from the manifest', `SELECT mf.path, mf.rows, count(v.rn) AS actual FROM mf LEFT JOIN v USING (fid) GROUP BY ALL HAVING count(v.rn) <> mf.rows`);
	// Regione files: month, measure, territory_id; italia.parquet: territory_id, measure, month
	// (docs/extracts.md; the ATS and Comune files' order is checked in verify-scoped.ts).
	const order = { month: 'month, measure, territory_id', territory: 'territory_id, measure, month' };
	const unsorted = await db.all<{ path: string; rn: bigint; kind: keyof typeof order }>(
		`SELECT mf.path, rn, kind FROM (
			SELECT fid, rn, kind, CASE kind WHEN 'month' THEN (month, measure, territory_id) <= lag((month, measure, territory_id)) OVER w
				ELSE (territory_id, measure, month) <= lag((territory_id, measure, month)) OVER w END AS bad
			FROM v JOIN (SELECT fid, CASE WHEN scope = 'it' THEN 'territory' ELSE 'month' END AS kind FROM mf) USING (fid)
			WINDOW w AS (PARTITION BY fid ORDER BY rn)) JOIN mf USING (fid) WHERE bad ORDER BY mf.path, rn LIMIT 5`
	);
	for (const r of unsorted) faults.push(`rows not sorted by ${order[r.kind]}: ${JSON.stringify({ path: r.path, rn: Number(r.rn) })}`);
	await first(db, faults, 'a territory-month has two rows', `SELECT territory_id, month, measure, count(*) AS n FROM t GROUP BY ALL HAVING count(*) > 1`);
	const t = SUPPRESSION_THRESHOLD - 1;
	const counts = EXTRACT_COLUMNS.filter((c) => c.count).map((c) => c.name);
	await first(db, faults, 'published count describing fewer than 3 households', `SELECT territory_id, month, measure FROM t WHERE ${counts.map((c) => `${c} BETWEEN 1 AND ${t}`).join(' OR ')}`);
	await first(db, faults, 'mean or total published on fewer than 3 households', `SELECT territory_id, month, measure FROM t WHERE nuclei IS NULL AND (importo_medio IS NOT NULL OR importo_totale IS NOT NULL OR persone IS NOT NULL OR nuclei_per_1000 IS NOT NULL)`);
	const bits = bitOfColumn();
	const flagged = (c: string) => `list_contains(soppressi_primari, '${c}') OR list_contains(soppressi_secondari, '${c}')`;
	await first(db, faults, 'flagged column not NULL', `SELECT territory_id, month, measure FROM t WHERE ${[...bits.keys()].map((c) => `((${flagged(c)}) AND ${c} IS NOT NULL)`).join(' OR ')}`);
	const applicable = (c: string) => {
		const na = ['RdC', 'PdC', 'ADI', 'SFL'].filter((m) => notApplicable(m).includes(c));
		return na.length ? `measure NOT IN (${na.map((m) => `'${m}'`).join(', ')})` : 'true';
	};
	await first(db, faults, 'NULL count not flagged', `SELECT territory_id, month, measure FROM t WHERE ${counts.map((c) => `(${c} IS NULL AND ${applicable(c)} AND NOT (${flagged(c)}))`).join(' OR ')}`);
	// Hidden-term counts per equation, from the NULLs.
	await db.run(
		`CREATE TABLE rel AS
		SELECT territory_id AS child, parent_id AS parent, level AS rel FROM (SELECT DISTINCT territory_id, parent_id, level FROM t) WHERE parent_id IS NOT NULL
		UNION ALL SELECT DISTINCT territory_id, 'p:' || substr(territory_id, 3, 3), 'comune-provincia' FROM t WHERE level = 'comune'
		UNION ALL SELECT parent_id, 'p:' || any_value(substr(territory_id, 3, 3)), 'ats-provincia' FROM (SELECT DISTINCT territory_id, parent_id FROM t WHERE level = 'comune')
			GROUP BY parent_id HAVING count(DISTINCT substr(territory_id, 3, 3)) = 1`
	);
	// Every parent-children equation and column in one pass: the children summed per parent,
	// month and measure first, then met with the parent's row (t has one row per key: checked above).
	const cols = [...SUPPRESSION_COLUMNS];
	await first(
		db,
		faults,
		'parent-children equation',
		`WITH ch AS (
			SELECT r.parent, r.rel, c.month, c.measure,
				${cols.map((c, k) => `sum((c.${c} IS NULL)::INTEGER) AS h${k}, sum(c.${c}) AS s${k}`).join(',\n\t\t\t\t')}
			FROM rel r JOIN t c ON c.territory_id = r.child
			GROUP BY ALL
		), g AS (
			SELECT ch.*, ${cols.map((c, k) => `(p.${c} IS NULL)::INTEGER AS ph${k}, p.${c} AS pv${k}`).join(', ')}
			FROM ch JOIN t p ON p.territory_id = ch.parent AND p.month = ch.month AND p.measure = ch.measure
		)
		SELECT parent, rel, strftime(month, '%Y-%m') AS month, measure, problems FROM (
			SELECT *, list_filter([${cols
				.map((c, k) => `CASE WHEN h${k} + ph${k} = 1 THEN '${c}: a hidden cell is recoverable by subtraction' WHEN h${k} + ph${k} = 0 AND s${k} <> pv${k} THEN '${c}: children do not add up to the parent' END`)
				.join(', ')}], x -> x IS NOT NULL) AS problems FROM g
		) WHERE len(problems) > 0`
	);
	for (const group of CATEGORY_PARTITIONS) {
		const terms = ['nuclei', ...group];
		await first(db, faults, `${group.join('+')}: exactly one hidden term`, `SELECT territory_id, month, measure FROM t WHERE measure <> 'SFL' AND ${terms.map((c) => `(${c} IS NULL)::INTEGER`).join(' + ')} = 1`);
		await first(db, faults, `${group.join('+')} does not add up to nuclei`, `SELECT territory_id, month, measure FROM t WHERE measure <> 'SFL' AND ${group.map((c) => `${c}`).join(' + ')} <> nuclei`);
	}
	await first(db, faults, 'nuclei_monocomponente differs from nuclei_1', `SELECT territory_id, month, measure FROM t WHERE nuclei_monocomponente IS DISTINCT FROM nuclei_1`);
	// Each file: exactly its territories' rows, identical to the canonical ones (a Regione file's
	// Regione and Italia rows to italia.parquet's). Compared per file as a count and an XOR of row
	// hashes against the same from the canonical rows of the territories the file must hold (no
	// row-level join); duplicates cannot cancel out: the order check above is strict.
	await db.run(`CREATE TABLE tf AS SELECT territory_id, count(*) AS n, bit_xor(hash(${ALL})) AS fp FROM t GROUP BY territory_id`);
	await db.run(
		`CREATE TABLE ft AS WITH d AS (SELECT territory_id, level, parent_id, region FROM terr)
		SELECT mf.fid, d.territory_id FROM mf JOIN d ON d.level IN ('italia', 'regione', 'provincia') WHERE mf.scope = 'it'
		UNION ALL SELECT mf.fid, d.territory_id FROM mf JOIN d ON 'r:' || d.region = mf.scope AND d.level IN ('regione', 'ats', 'comune')
		UNION ALL SELECT mf.fid, 'it' FROM mf WHERE mf.scope <> 'it'`
	);
	await first(
		db,
		faults,
		'rows differ from the same rows in italia/regione files (a value changed, a row missing or outside the scope)',
		`SELECT mf.path, e.n AS expected_rows, a.n AS rows FROM mf
		LEFT JOIN (SELECT fid, sum(tf.n) AS n, bit_xor(tf.fp) AS fp FROM ft JOIN tf USING (territory_id) GROUP BY fid) e USING (fid)
		LEFT JOIN (SELECT fid, count(*) AS n, bit_xor(h) AS fp FROM v GROUP BY fid) a USING (fid)
		WHERE e.fp IS DISTINCT FROM a.fp OR e.n IS DISTINCT FROM a.n`
	);
	// italia.parquet and the Regione files lie within no other scope
	await first(db, faults, "within does not match the file's own rows", `SELECT path, within FROM mf WHERE within <> ''`);
	const [{ n }] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM v`);
	return Number(n);
}

/** Verifies the published version of an extracts folder. */
export async function verifyPublished(root: string): Promise<{ version: string; files: number; rows: number }> {
	const manifest = readManifest(root);
	if (!manifest) throw new VerificationError([`${join(root, 'manifest.json')}: missing`]);
	const { rows } = await verifyVersion(root, manifest);
	return { version: manifest.version, files: manifest.files.length, rows };
}
export type { ManifestFile };
