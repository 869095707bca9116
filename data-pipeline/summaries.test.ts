import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { SUMMARY_SCHEMA_VERSION, type Manifest, type ManifestFile, type SummaryFile } from '../contracts/index.ts';
import { assembleSummary, fromRuns } from '../src/lib/data/series.ts';
import { build } from './build.ts';
import { summarySchemaOf, summaryTexts, territoryJsons } from './summaries.ts';
import { appendSeries, seriesFromSummary, type TerritorySeries } from './summary-series.ts';
import { openDb, sqlString } from './db.ts';
import { silentLogger } from './log.ts';
import { dayOfMonth } from './months.ts';
import { sha256File } from './publish.ts';
import { verifyPublished } from './verify.ts';
import { household, rewriteWithWriter, runCli, tempDir, tinyRegistry, writeMicrodataCsv, type HouseholdRow } from './test-support.ts';

const COMUNI = ['001001', '001002', '001003', '001004', '002001', '002002', '007001', '007002', '007003'];
const MONTHS = ['2024-01', '2024-02', '2024-03', '2024-04'];

function rows(): HouseholdRow[] {
	const out: HouseholdRow[] = [];
	let id = 1;
	for (const [m, month] of MONTHS.entries())
		for (const [i, comune] of COMUNI.entries())
			for (let k = 0; k < ((i + m) * 5) % 13; k++) {
				out.push(household(month, 'ADI', comune, id, id * 3 + i));
				if (k % 4 === 0) out.push(household(month, 'SFL', comune, id, id));
				id++;
			}
	return out;
}

describe('first-view summaries (schema 3, manifest schema 5)', () => {
	const root = tempDir();
	const out = join(root, 'extracts');
	let manifest: Manifest;
	const read = (scope: string) => {
		const f = manifest.files.find((x) => x.kind === 'summary' && x.scope === scope && !x.path.includes('/benchmarks/'))!;
		return { file: f, json: JSON.parse(readFileSync(join(out, f.path), 'utf8')) as SummaryFile };
	};
	const ats = () => manifest.files.find((f) => f.scope.startsWith('a:'))!.scope;
	/** The extract rows of `id` as the summary shows them, from the Parquet file itself. */
	const extractRows = async (path: string, id: string) => {
		const db = await openDb();
		try {
			const rows = await db.all<Record<string, unknown>>(
				`SELECT strftime(month, '%Y-%m') AS month, measure, nuclei, persone, importo_medio, nuclei_per_1000,
					nuclei IS NULL AND list_contains(soppressi_secondari, 'nuclei') AS secondario
				FROM read_parquet(${sqlString(join(out, path))}) WHERE territory_id = ? ORDER BY measure, month`,
				[id]
			);
			// as the summary's points: `secondario` only where true
			for (const r of rows) if (!r.secondario) delete r.secondario;
			return rows;
		} finally {
			db.close();
		}
	};

	beforeAll(async () => {
		mkdirSync(join(root, 'md'));
		writeMicrodataCsv(join(root, 'md', 'm.csv'), rows());
		await build({ microdata: join(root, 'md'), out, registry: tinyRegistry(), lastMonth: '2024-04', log: silentLogger });
		manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
	}, 60_000);

	test('a Comune summary names its ATS (its user reads no ATS file); other scopes name none', () => {
		const { file, json } = read('c:001002');
		const atsId = file.within.find((w) => w.startsWith('a:'))!;
		expect(json.ats).toEqual({ id: atsId, name: read(atsId).json.territory.name });
		for (const scope of [atsId, 'r:01', 'it']) expect(read(scope).json.ats).toBeUndefined();
	});

	test('verify expects the ATS name only from manifest schema 4 on (a schema 3 version has none)', () => {
		const row = (territory_id: string, level: string, parent_id: string | null, name: string) => ({ territory_id, level, parent_id, name, json: '{}' });
		const rows = [row('it', 'italia', null, 'Italia'), row('r:01', 'regione', 'it', 'Uno'), row('a:X01001', 'ats', 'r:01', 'Ambito Uno'), row('c:001001', 'comune', 'a:X01001', 'Primo')];
		const ats = (o: { ats?: boolean }) => (JSON.parse(summaryTexts('v', rows, ['c:001001'], o).get('c:001001')!) as SummaryFile).ats;
		expect(ats({})).toEqual({ id: 'a:X01001', name: 'Ambito Uno' });
		expect(ats({ ats: false })).toBeUndefined();
	});

	test('a Comune summary holds only its own territory, in columns, with its benchmarks named', async () => {
		const { file, json } = read('c:001002');
		expect(json.schema_version).toBe(SUMMARY_SCHEMA_VERSION);
		expect(json.territory.id).toBe('c:001002');
		expect(json.benchmarks).toEqual(['r:01', 'it']);
		expect(json.regioni).toBeUndefined();
		expect(file.rows).toBe(1);
		for (const run of json.territory.runs) {
			expect(run.from).toMatch(/^\d{4}-\d{2}$/);
			const n = run.nuclei.length;
			expect([run.persone.length, run.importo_medio.length, run.nuclei_per_1000.length]).toEqual([n, n, n]);
		}
		// validation rejects gaps in the months: one run per measure
		expect(json.territory.runs.map((r) => `${r.measure} ${r.from} ${r.nuclei.length}`)).toEqual(['ADI 2024-01 4', 'SFL 2024-01 4']);
	});

	test('the numbers are the extract’s, suppressed cells null', async () => {
		for (const scope of ['c:001002', 'c:007001', 'it']) {
			const { json } = read(scope);
			const ext = manifest.files.find((f) => f.kind === 'extract' && f.scope === scope)!;
			const points = fromRuns(json.territory).series;
			expect(points).toEqual(await extractRows(ext.path, scope));
		}
		expect(fromRuns(read('c:001002').json.territory).series.some((p) => p.nuclei === null)).toBe(true);
	});

	test('a run lists the months whose nuclei is a secondary suppression (secondari); a primary one is not listed', async () => {
		const kinds = new Set<string>();
		for (const f of manifest.files.filter((x) => x.kind === 'summary' && !x.path.includes('/benchmarks/'))) {
			const json = JSON.parse(readFileSync(join(out, f.path), 'utf8')) as SummaryFile;
			const ext = manifest.files.find((x) => x.kind === 'extract' && x.scope === f.scope)!;
			const db = await openDb();
			const listed = await db.all<{ measure: string; month: string; primary: boolean; secondary: boolean }>(
				`SELECT measure, strftime(month, '%Y-%m') AS month, list_contains(soppressi_primari, 'nuclei') AS "primary", list_contains(soppressi_secondari, 'nuclei') AS secondary
				FROM read_parquet(${sqlString(join(out, ext.path))}) WHERE territory_id = ? AND nuclei IS NULL ORDER BY measure, month`,
				[f.scope]
			);
			db.close();
			const secondary = json.territory.runs.flatMap((r) => (r.secondari ?? []).map((k) => `${r.measure} ${fromRuns({ ...json.territory, runs: [r] }).series[k]!.month}`));
			expect(secondary, f.path).toEqual(listed.filter((r) => r.secondary).map((r) => `${r.measure} ${r.month}`));
			for (const r of json.territory.runs) if (r.secondari) expect(r.secondari.length).toBeGreaterThan(0);
			for (const r of listed) kinds.add(r.primary ? 'primary' : r.secondary ? 'secondary' : 'unlisted');
		}
		// the world has both kinds, and no unlisted null count
		expect([...kinds].sort()).toEqual(['primary', 'secondary']);
	});

	test('summary schema 2 (a version of manifest schema 4, for verify) has no secondari; read back, schema 3 gives the same file', () => {
		const f = manifest.files.find((x) => x.kind === 'summary' && readFileSync(join(out, x.path), 'utf8').includes('"secondari"'))!;
		const text = readFileSync(join(out, f.path), 'utf8');
		const series = new Map<string, TerritorySeries>();
		seriesFromSummary(text, '9999-12', series);
		const [json3] = territoryJsons(series, 3);
		const [json2] = territoryJsons(series, 2);
		expect(text).toContain(json3!.json);
		expect(json2!.json).not.toContain('secondari');
		expect(json2!.json).toBe(json3!.json.replace(/,"secondari":\[[\d,]*\]/g, ''));
		expect(summarySchemaOf(4)).toBe(2);
		expect(summarySchemaOf(5)).toBe(SUMMARY_SCHEMA_VERSION);
	});

	test('summary/italia.json holds Italia and every Regione; their series are the rows of italia.parquet', async () => {
		const { file, json } = read('it');
		expect(file.within).toEqual([]);
		expect(json.benchmarks).toEqual([]);
		expect(json.regioni!.map((r) => r.id)).toEqual(['r:01', 'r:02']);
		expect(file.rows).toBe(3);
		for (const r of json.regioni!) expect(fromRuns(r).series).toEqual(await extractRows(`${manifest.version}/italia.parquet`, r.id));
	});

	test('each Regione has a benchmark file (scope it): Italia and that Regione, as in italia.json; a first view built with it is the same', () => {
		const bench = manifest.files.filter((f) => f.path.startsWith(`${manifest.version}/summary/benchmarks/`));
		expect(bench.map((f) => [f.path.slice(manifest.version.length + 1), f.scope, f.within, f.rows])).toEqual([
			['summary/benchmarks/01.json', 'it', [], 2],
			['summary/benchmarks/02.json', 'it', [], 2]
		]);
		const italia = read('it').json;
		for (const [i, f] of bench.entries()) {
			const json = JSON.parse(readFileSync(join(out, f.path), 'utf8')) as SummaryFile;
			expect(json.territory).toEqual(italia.territory);
			expect(json.benchmarks).toEqual([]);
			expect(json.regioni).toEqual([italia.regioni![i]]);
		}
		for (const scope of ['c:001002', ats(), 'r:01']) {
			const own = read(scope).json;
			const withBench = assembleSummary(own, JSON.parse(readFileSync(join(out, manifest.version, 'summary/benchmarks/01.json'), 'utf8')));
			expect(withBench).not.toBeNull();
			expect(withBench).toEqual(assembleSummary(own, italia));
		}
		// a Comune of Regione 02 finds no benchmark of its own in Regione 01's file
		expect(assembleSummary(read('c:007001').json, JSON.parse(readFileSync(join(out, manifest.version, 'summary/benchmarks/01.json'), 'utf8')))).toBeNull();
		expect(bench.every((f) => f.bytes * 1.4 < read('it').file.bytes)).toBe(true);
	});

	test('size: a scope summary is a few bytes per published month, and much smaller than the Italia one', () => {
		const points = (j: SummaryFile) => j.territory.runs.reduce((s, r) => s + r.nuclei.length, 0);
		for (const scope of ['c:001001', ats(), 'r:01']) {
			const { file, json } = read(scope);
			// the header: ids, version, benchmarks, and a Comune's ATS by name (json.ats); a run's
			// secondary suppressions: `,"secondari":[]` and up to 3 bytes each
			const secondari = json.territory.runs.reduce((s, r) => s + (r.secondari ? 15 + 3 * r.secondari.length : 0), 0);
			expect(file.bytes).toBeLessThan(250 + (json.ats ? JSON.stringify(json.ats).length + 7 : 0) + 40 * points(json) + secondari);
		}
		expect(read('c:001001').file.bytes * 2).toBeLessThan(read('it').file.bytes);
	});

	/** A copy of the publication in which `edit` changes the summary file `pick` chooses; its size and sha256 in the manifest follow. */
	function tampered(name: string, pick: (m: Manifest) => ManifestFile, edit: (json: SummaryFile) => void): { copy: string; m: Manifest; f: ManifestFile } {
		const copy = join(root, name);
		cpSync(out, copy, { recursive: true });
		const m = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8')) as Manifest;
		const f = pick(m);
		const json = JSON.parse(readFileSync(join(copy, f.path), 'utf8')) as SummaryFile;
		edit(json);
		writeFileSync(join(copy, f.path), JSON.stringify(json));
		f.bytes = readFileSync(join(copy, f.path)).length;
		f.sha256 = sha256File(join(copy, f.path));
		writeFileSync(join(copy, 'manifest.json'), JSON.stringify(m));
		return { copy, m, f };
	}

	test('verify catches a summary whose numbers differ from the files, even with a matching checksum', async () => {
		const { copy, f } = tampered(
			'tampered',
			(m) => m.files.find((x) => x.kind === 'summary' && x.scope === ats())!,
			(json) => {
				const run = json.territory.runs[0]!;
				run.nuclei[0] = (run.nuclei[0] ?? 0) + 1;
			}
		);
		await expect(verifyPublished(copy)).rejects.toThrow(`${f.path}: summary differs from the extract rows`);
	});
	test('verify catches a benchmark file whose numbers differ, and a missing one', async () => {
		const { copy, m, f } = tampered(
			'tampered-bench',
			(m) => m.files.find((x) => x.path === `${m.version}/summary/benchmarks/02.json`)!,
			(json) => {
				const run = json.regioni![0]!.runs[0]!;
				run.persone[1] = (run.persone[1] ?? 0) + 1;
			}
		);
		await expect(verifyPublished(copy)).rejects.toThrow(`${f.path}: summary differs from the extract rows`);
		m.files = m.files.filter((x) => x !== f);
		writeFileSync(join(copy, 'manifest.json'), JSON.stringify(m));
		await expect(verifyPublished(copy)).rejects.toThrow(`${f.path}: benchmark summary missing`);
	});
});

describe('verify reads all files of a kind together and still names the faulty one', () => {
	const root = tempDir();
	const out = join(root, 'extracts');
	beforeAll(async () => {
		mkdirSync(join(root, 'md'));
		writeMicrodataCsv(join(root, 'md', 'm.csv'), rows());
		await build({ microdata: join(root, 'md'), out, registry: tinyRegistry(), lastMonth: '2024-04', log: silentLogger });
	}, 60_000);

	/** A copy of the publication in which one Comune file is written again (our writer, or DuckDB's with `duckdb`) from `sql` over its rows (table x, month as days); manifest size and hash updated to match. */
	async function tamper(name: string, sql: (src: string) => string, duckdb = false): Promise<{ dir: string; path: string; rel: string }> {
		const dir = join(root, name);
		cpSync(out, dir, { recursive: true });
		const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
		const f = m.files.find((x) => x.kind === 'extract' && x.scope === 'c:001004')!;
		const abs = join(dir, f.path);
		if (duckdb) {
			const db = await openDb();
			try {
				await db.run(`CREATE TABLE x AS SELECT * FROM read_parquet(${sqlString(abs)})`);
				await db.run(`COPY (${sql('x')}) TO ${sqlString(abs)} (FORMAT parquet, COMPRESSION zstd)`);
			} finally {
				db.close();
			}
		} else await rewriteWithWriter(abs, sql);
		f.bytes = readFileSync(abs).length;
		f.sha256 = sha256File(abs);
		writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
		return { dir, path: abs, rel: f.path };
	}

	test('one changed value in one Comune file among all', async () => {
		const { dir, rel } = await tamper('value', (x) => `SELECT * REPLACE (CASE WHEN territory_id = 'it' AND month = ${dayOfMonth('2024-02')} AND measure = 'ADI' THEN persone + 1 ELSE persone END AS persone) FROM ${x} ORDER BY territory_id, measure, month`);
		await expect(verifyPublished(dir)).rejects.toThrow(new RegExp(`rows differ from the same rows in italia/regione files.*: .*${rel.replaceAll('/', '\\/')}`));
	});

	test('rows out of order in one Comune file', async () => {
		const { dir, rel } = await tamper('order', (x) => `SELECT * FROM ${x} ORDER BY territory_id, month DESC, measure`);
		await expect(verifyPublished(dir)).rejects.toThrow(new RegExp(`rows differ from the same rows in italia/regione files \\(.*out of order\\): .*${rel.replaceAll('/', '\\/')}`));
	});

	test('a Comune file written by another Parquet writer is named: verify reads only what the pipeline writes', async () => {
		const { dir, rel } = await tamper('duckdb', (x) => `SELECT * FROM ${x} ORDER BY territory_id, measure, month`, true);
		await expect(verifyPublished(dir)).rejects.toThrow(new RegExp(`${rel.replaceAll('/', '\\/')}: unreadable`));
	});

	test('a flipped byte: the CLI exits 1 naming the file', async () => {
		const dir = join(root, 'flip');
		cpSync(out, dir, { recursive: true });
		const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
		const f = m.files.find((x) => x.kind === 'extract' && x.scope === 'c:007003')!;
		const bytes = readFileSync(join(dir, f.path));
		bytes[100]! ^= 1;
		writeFileSync(join(dir, f.path), bytes);
		const r = await runCli(['verify', dir]);
		expect(r.code).toBe(1);
		expect(r.stderr).toContain(`${f.path}: sha256 differs from the manifest`);
	});
});

describe('a month added to the previous summaries (runs kept whole, joined at the seam)', () => {
	const run = (measure: string, from: string, nuclei: (number | null)[], secondari?: number[]) => ({
		measure,
		from,
		nuclei,
		persone: nuclei.map((n) => (n === null ? null : n * 2)),
		importo_medio: nuclei.map((n) => (n === null ? null : n + 0.5)),
		nuclei_per_1000: nuclei.map((n) => (n === null ? null : n / 10)),
		...(secondari ? { secondari } : {})
	});
	const file = (runs: ReturnType<typeof run>[]) =>
		JSON.stringify({ schema_version: 3, version: 'v', scope: 'c:001001', territory: { id: 'c:001001', name: 'Primo', level: 'comune', residenti: 100, runs }, benchmarks: [] });
	const runsOf = (s: Map<string, TerritorySeries>) => (JSON.parse(territoryJsons(s)[0]!.json) as SummaryFile['territory']).runs;

	test('a run crossing the cut is cut; the new months join its end, with their secondari offsets moved', () => {
		// ADI: 2025-11 … 2026-02 (2026-01 and 2026-02 written again), SFL: two runs with a gap
		const previous = file([run('ADI', '2025-11', [5, null, 7, 8], [1]), run('SFL', '2025-06', [3, 4]), run('SFL', '2025-12', [9, 9])]);
		const earlier = new Map<string, TerritorySeries>();
		seriesFromSummary(previous, '2026-01', earlier);
		const later = new Map<string, TerritorySeries>();
		seriesFromSummary(file([run('ADI', '2026-01', [70, null, 90], [1]), run('SFL', '2026-01', [10])]), '9999-12', later);
		expect(runsOf(appendSeries(earlier, later))).toEqual([
			run('ADI', '2025-11', [5, null, 70, null, 90], [1, 3]),
			run('SFL', '2025-06', [3, 4]),
			run('SFL', '2025-12', [9, 10])
		]);
	});

	test('a run that ends just before the cut (kept as its text) is joined by the new months', () => {
		const earlier = new Map<string, TerritorySeries>();
		seriesFromSummary(file([run('ADI', '2025-11', [5, null], [1]), run('SFL', '2025-10', [1, 2])]), '2026-01', earlier);
		const later = new Map<string, TerritorySeries>();
		seriesFromSummary(file([run('ADI', '2026-01', [7, null], [1]), run('SFL', '2026-01', [3])]), '9999-12', later);
		expect(runsOf(appendSeries(earlier, later))).toEqual([run('ADI', '2025-11', [5, null, 7, null], [1, 3]), run('SFL', '2025-10', [1, 2]), run('SFL', '2026-01', [3])]);
	});

	test('the file scanned (runs kept as text) and the file parsed give the same series: Italia with its Regioni, a Comune with its ATS, names with quotes and braces', () => {
		const territory = (id: string, name: string, runs: ReturnType<typeof run>[]) => ({ id, name, level: id === 'it' ? 'italia' : id.startsWith('r:') ? 'regione' : 'comune', residenti: 10, runs });
		const files = [
			{ schema_version: 3, version: 'v', scope: 'it', territory: territory('it', 'Italia', [run('ADI', '2025-10', [9, 8, 7, 6, 5], [2])]), benchmarks: [], regioni: [territory('r:01', 'Uno', [run('ADI', '2025-11', [1, null, 3], [1])]), territory('r:02', 'Due {"id":"x"}', [run('SFL', '2024-01', [4])])] },
			{ schema_version: 3, version: 'v', scope: 'c:001001', territory: territory('c:001001', 'Sant\'Ilario "d\'Enza" }{', [run('ADI', '2025-12', [null, 2], [0]), run('PdC', '2019-04', [1, 2])]), benchmarks: ['r:01', 'it'], ats: { id: 'a:X01001', name: 'Ambito {"id":"a"} "runs":[' } }
		];
		for (const before of ['2026-01', '2025-12', '2099-01'])
			for (const schema of [3, 2]) {
				const [scanned, parsedWhole] = [new Map<string, TerritorySeries>(), new Map<string, TerritorySeries>()];
				for (const f of files) {
					seriesFromSummary(JSON.stringify(f), before, scanned);
					// indented: not the writer's text, so parsed whole
					seriesFromSummary(JSON.stringify(f, null, 1), before, parsedWhole);
				}
				expect([...scanned.keys()]).toEqual(['it', 'r:01', 'r:02', 'c:001001']);
				expect(territoryJsons(scanned, schema)).toEqual(territoryJsons(parsedWhole, schema));
			}
		// schema 2 leaves `secondari` out of the runs kept as text too
		const scanned = new Map<string, TerritorySeries>();
		seriesFromSummary(JSON.stringify(files[0]), '2099-01', scanned);
		expect(territoryJsons(scanned, 2).some((t) => t.json.includes('secondari'))).toBe(false);
		expect(territoryJsons(scanned, 3).some((t) => t.json.includes('"secondari":[2]'))).toBe(true);
	});

	test('months that do not follow on stay a run of their own; a measure whose runs all come after the cut is empty', () => {
		const earlier = new Map<string, TerritorySeries>();
		seriesFromSummary(file([run('ADI', '2025-01', [5, 6]), run('PdC', '2026-03', [1, 2])]), '2026-01', earlier);
		const later = new Map<string, TerritorySeries>();
		seriesFromSummary(file([run('ADI', '2026-01', [8])]), '9999-12', later);
		expect(runsOf(appendSeries(earlier, later))).toEqual([run('ADI', '2025-01', [5, 6]), run('ADI', '2026-01', [8])]);
	});
});
