/**
 * A small published version made with DuckDB SQL, for tests: Italia, Veneto (r:05), one ATS
 * (a:X05001) with three Comuni, months 2023-10 … 2024-02 (RdC and PdC to 2023-12, ADI from
 * 2024-01, SFL throughout). The smallest Comune has suppressed cells (NULL, listed in
 * `soppressi_primari`). Test-only: imports Node modules.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SUMMARY_SCHEMA_VERSION, type Manifest, type ManifestFile, type SummaryFile, type SummaryFileTerritory, type SummaryRun } from '#contracts';
import type { Engine } from './engine.ts';

const ROWS_SQL = `
WITH t(territory_id, level, name, parent_id, residenti, f) AS (VALUES
	('it', 'italia', 'Italia', NULL, 58997201, 5000.0),
	('r:05', 'regione', 'Veneto', 'it', 4847745, 200.0),
	('a:X05001', 'ats', 'Ambito sintetico Padova 1', 'r:05', 120000, 6.0),
	('c:028001', 'comune', 'Abano Terme', 'a:X05001', 19726, 1.7),
	('c:028002', 'comune', 'Agna', 'a:X05001', 3240, 0.45),
	('c:028003', 'comune', 'Albignasego', 'a:X05001', 26500, 0.02)),
m(measure, w, from_m, to_m) AS (VALUES
	('RdC', 10.0, DATE '2019-04-01', DATE '2023-12-01'), ('PdC', 1.5, DATE '2019-04-01', DATE '2023-12-01'),
	('ADI', 8.0, DATE '2024-01-01', DATE '2099-12-01'), ('SFL', 3.0, DATE '2023-09-01', DATE '2099-12-01')),
d AS (SELECT range::DATE AS month, row_number() OVER (ORDER BY range) AS k FROM range(DATE '2023-10-01', DATE '2024-03-01', INTERVAL 1 MONTH)),
raw AS (
	SELECT t.*, d.month, m.measure, round(t.f * m.w * (1 + d.k / 20.0))::INTEGER AS n, d.k
	FROM t, d, m WHERE d.month BETWEEN m.from_m AND m.to_m)
SELECT territory_id, level, name, parent_id, month, measure, residenti::INTEGER AS residenti,
	CASE WHEN n >= 3 THEN n END::INTEGER AS nuclei,
	CASE WHEN n >= 3 THEN (n * 2.25)::INTEGER END AS persone,
	CASE WHEN n >= 3 THEN 500.0 + 10 * k + length(territory_id) END AS importo_medio,
	CASE WHEN n >= 3 THEN n * (500.0 + 10 * k + length(territory_id)) END AS importo_totale,
	CASE WHEN n >= 3 THEN round(n * 1000.0 / residenti, 2) END AS nuclei_per_1000,
	${['minori:0.4', 'disabili:0.3', 'over60:0.25', 'over65:0.2', 'monocomponente:0.35', '1:0.35', '2:0.25', '3:0.2', '4:0.12', '5piu:0.08', 'cittadinanza_it:0.8', 'cittadinanza_ue:0.05', 'cittadinanza_extra_ue:0.15', 'patto_inclusione:0.5', 'patto_lavoro:0.3', 'esonerati:0.2']
		.map((s) => {
			const [name, share] = s.split(':');
			return `CASE WHEN n * ${share} >= 3 THEN round(n * ${share})::INTEGER END AS nuclei_${name}`;
		})
		.join(',\n\t')},
	CASE WHEN n < 3 THEN ['nuclei', 'persone'] ELSE [] END::VARCHAR[] AS soppressi_primari,
	[]::VARCHAR[] AS soppressi_secondari
FROM raw`;

/** The fixture's comparisons, one per kind: Comuni of a Regione, Comuni of an ATS, ATS of a Regione, Regioni of Italia. */
export const COMPARISON_SCOPES = [
	{ t: 'r:05', level: 'comune' },
	{ t: 'a:X05001', level: 'comune' },
	{ t: 'r:05', level: 'ats' },
	{ t: 'it', level: 'regione' }
] as const;

export interface Fixture {
	manifest: Manifest;
	/** File bytes by manifest path. */
	files: Map<string, Uint8Array>;
	/** A fetch that serves `/extracts/<path>` from `files`, recording each path and its auth header. */
	fetch: typeof fetch;
	requests: { path: string; authorization: string | null }[];
}

const FILES: { path: string; scope: string; within: string[]; where: string }[] = [
	{ path: 'v1/italia.parquet', scope: 'it', within: [], where: `level IN ('italia', 'regione')` },
	{ path: 'v1/regione/05.parquet', scope: 'r:05', within: [], where: `TRUE` },
	{ path: 'v1/ats/X05001.parquet', scope: 'a:X05001', within: ['r:05'], where: `TRUE` },
	{ path: 'v1/comune/028001.parquet', scope: 'c:028001', within: ['r:05', 'a:X05001'], where: `territory_id IN ('c:028001', 'r:05', 'it')` },
	{ path: 'v1/comune/028003.parquet', scope: 'c:028003', within: ['r:05', 'a:X05001'], where: `territory_id IN ('c:028003', 'r:05', 'it')` }
];

/** Writes the fixture's Parquet files and summaries with `engine` (a Node engine). */
export async function buildFixture(engine: Engine): Promise<Fixture> {
	const dir = await mkdtemp(path.join(tmpdir(), 'cruscotto-fixture-'));
	await engine.query(`CREATE OR REPLACE TABLE fixture AS ${ROWS_SQL}`);
	const files = new Map<string, Uint8Array>();
	const entries: ManifestFile[] = [];
	const add = (p: string, bytes: Uint8Array, f: (typeof FILES)[number], kind: ManifestFile['kind'], rows: number) => {
		files.set(p, bytes);
		entries.push({ path: p, scope: f.scope, within: f.within, kind, rows, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
	};
	for (const f of FILES) {
		const file = path.join(dir, f.path.replaceAll('/', '_'));
		await engine.query(`COPY (SELECT * FROM fixture WHERE ${f.where} ORDER BY territory_id, month, measure) TO '${file}' (FORMAT PARQUET)`);
		const [{ n }] = await engine.query(`SELECT count(*) AS n FROM fixture WHERE ${f.where}`);
		add(f.path, new Uint8Array(await readFile(file)), f, 'extract', Number(n));
		const summary = await summaryOf(engine, f.scope);
		add(f.path.replace(/^v1\//, 'v1/summary/').replace(/\.parquet$/, '.json'), new TextEncoder().encode(JSON.stringify(summary)), f, 'summary', 1 + (summary.regioni?.length ?? 0));
	}
	await rm(dir, { recursive: true, force: true });
	const manifest: Manifest = {
		schema_version: 1, version: 'v1', published_at: '2024-03-10T09:00:00Z', period: { from: '2023-10', to: '2024-02' },
		measures: ['RdC', 'PdC', 'ADI', 'SFL'], suppression_threshold: 3, synthetic: { microdata: true, ats_map: true },
		sources: { microdata: { description: 'synthetic' } }, files: entries
	};
	const requests: Fixture['requests'] = [];
	const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
		const p = String(input).replace(/^.*\/extracts\//, '');
		const headers = new Headers(init?.headers);
		requests.push({ path: p, authorization: headers.get('authorization') });
		if (p === 'manifest.json') return new Response(JSON.stringify(manifest));
		const bytes = files.get(p);
		return bytes ? new Response(bytes as Uint8Array<ArrayBuffer>) : new Response('no', { status: 404 });
	}) as typeof fetch;
	return { manifest, files, fetch: fetchFn, requests };
}

async function summaryOf(engine: Engine, scope: string): Promise<SummaryFile> {
	const territory = async (id: string): Promise<SummaryFileTerritory> => {
		const rows = await engine.query(
			`SELECT name, level, residenti, strftime(month, '%Y-%m') AS month, measure, nuclei, persone, importo_medio, nuclei_per_1000
			 FROM fixture WHERE territory_id = ? ORDER BY measure, month`, [id]);
		const runs: SummaryRun[] = [];
		for (const r of rows) {
			// the fixture's months have no gaps: one run per measure
			let run = runs.at(-1);
			if (run?.measure !== r.measure) runs.push((run = { measure: r.measure as 'RdC', from: String(r.month), nuclei: [], persone: [], importo_medio: [], nuclei_per_1000: [] }));
			run.nuclei.push(r.nuclei as number | null);
			run.persone.push(r.persone as number | null);
			run.importo_medio.push(r.importo_medio as number | null);
			run.nuclei_per_1000.push(r.nuclei_per_1000 as number | null);
		}
		return { id, name: String(rows[0].name), level: rows[0].level as 'italia', residenti: Number(rows[0].residenti), runs };
	};
	const benchmarks = scope === 'it' ? [] : scope === 'r:05' ? ['it'] : ['r:05', 'it'];
	return {
		schema_version: SUMMARY_SCHEMA_VERSION, version: 'v1', scope, territory: await territory(scope), benchmarks,
		...(scope === 'it' ? { regioni: [await territory('r:05')] } : {})
	};
}
