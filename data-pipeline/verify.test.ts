/**
 * verify's schema check (footers read in JS), its canonical rows (italia.parquet and the
 * ATS/Comune rows of the Regione files, each file decoded once) and its equations: each
 * tampered copy of a small publication must fail, naming the file or the equation.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Manifest } from '../contracts/index.ts';
import { build } from './build.ts';
import { openDb, sqlString } from './db.ts';
import { silentLogger } from './log.ts';
import { sha256File } from './publish.ts';
import { household, tempDir, tinyRegistry, writeMicrodataCsv, type HouseholdRow } from './test-support.ts';
import { verifyPublished } from './verify.ts';

const COMUNI = ['001001', '001002', '001003', '001004', '002001', '002002', '007001', '007002', '007003'];

function rows(): HouseholdRow[] {
	const out: HouseholdRow[] = [];
	let id = 1;
	for (const [m, month] of ['2024-01', '2024-02', '2024-03'].entries())
		for (const [i, comune] of COMUNI.entries())
			for (let k = 0; k < 4 + ((i + m) * 7) % 11; k++) out.push(household(month, 'ADI', comune, id++, id * 5 + i));
	return out;
}

describe('verify: schema from the footers, canonical rows, equations', () => {
	const root = tempDir();
	const out = join(root, 'extracts');
	beforeAll(async () => {
		mkdirSync(join(root, 'md'));
		writeMicrodataCsv(join(root, 'md', 'm.csv'), rows());
		await build({ microdata: join(root, 'md'), out, registry: tinyRegistry(), lastMonth: '2024-03', log: silentLogger });
	}, 60_000);

	/** A copy of the publication in which `sql` (a query over table x) rewrites the extract of `scope`; the manifest's size and hash follow. */
	async function tamper(name: string, scope: string, sql: string): Promise<{ dir: string; path: string }> {
		const dir = join(root, name);
		cpSync(out, dir, { recursive: true });
		const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
		const f = m.files.find((x) => x.kind === 'extract' && x.scope === scope)!;
		const abs = join(dir, f.path);
		const db = await openDb();
		try {
			await db.run(`CREATE TABLE x AS SELECT * FROM read_parquet(${sqlString(abs)})`);
			await db.run(`COPY (${sql}) TO ${sqlString(abs)} (FORMAT parquet, COMPRESSION zstd)`);
		} finally {
			db.close();
		}
		f.bytes = readFileSync(abs).length;
		f.sha256 = sha256File(abs);
		writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
		return { dir, path: f.path };
	}

	test('the untouched publication verifies', async () => {
		await expect(verifyPublished(out)).resolves.toMatchObject({ files: expect.any(Number) });
	});

	test('a column of the wrong type', async () => {
		const { dir, path } = await tamper('type', 'c:001004', `SELECT * REPLACE (nuclei::BIGINT AS nuclei) FROM x ORDER BY territory_id, measure, month`);
		await expect(verifyPublished(dir)).rejects.toThrow(`${path}: columns`);
	});

	test('a renamed column', async () => {
		const { dir, path } = await tamper('name', 'a:X01001', `SELECT * RENAME (persone AS persone_x) FROM x ORDER BY territory_id, measure, month`);
		await expect(verifyPublished(dir)).rejects.toThrow(new RegExp(`${path}: columns .*persone_x`));
	});

	test('a list of the wrong element type', async () => {
		const { dir, path } = await tamper('list', 'r:02', `SELECT * REPLACE (list_transform(soppressi_primari, s -> length(s)) AS soppressi_primari) FROM x ORDER BY month, measure, territory_id`);
		await expect(verifyPublished(dir)).rejects.toThrow(`${path}: columns`);
	});

	test("an ATS or Comune file's row count in the manifest differs from the file", async () => {
		const dir = join(root, 'manifest-rows');
		cpSync(out, dir, { recursive: true });
		const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
		const f = m.files.find((x) => x.kind === 'extract' && x.scope === 'c:001002')!;
		f.rows += 1;
		writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
		await expect(verifyPublished(dir)).rejects.toThrow(`row count differs from the manifest: {"path":"${f.path}"`);
	});

	test('a file that is not Parquet (checksum updated to match)', async () => {
		const dir = join(root, 'garbage');
		cpSync(out, dir, { recursive: true });
		const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
		const f = m.files.find((x) => x.kind === 'extract' && x.scope === 'c:007002')!;
		writeFileSync(join(dir, f.path), 'not a parquet file');
		f.bytes = readFileSync(join(dir, f.path)).length;
		f.sha256 = sha256File(join(dir, f.path));
		writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
		await expect(verifyPublished(dir)).rejects.toThrow(`${f.path}: columns unreadable footer: not a Parquet file`);
	});

	test("a Regione file whose Italia row differs from italia.parquet's", async () => {
		const { dir, path } = await tamper('it-row', 'r:01', `SELECT * REPLACE (CASE WHEN territory_id = 'it' AND month = DATE '2024-02-01' THEN persone + 1 ELSE persone END AS persone) FROM x ORDER BY month, measure, territory_id`);
		await expect(verifyPublished(dir)).rejects.toThrow(new RegExp(`rows differ from the same rows in italia/regione files.*${path.replaceAll('/', '\\/')}`));
	});

	test('a Comune present in two Regione files', async () => {
		const { dir } = await tamper('twice', 'r:02', `SELECT * FROM x UNION ALL SELECT * FROM read_parquet(${sqlString(join(out, readManifest().version, 'regione/01.parquet'))}) WHERE territory_id = 'c:001002' ORDER BY month, measure, territory_id`);
		await expect(verifyPublished(dir)).rejects.toThrow(/a territory-month has two rows.*c:001002/);
	});

	test('Italia differs from the sum of its Regioni (equation check)', async () => {
		const { dir } = await tamper('sum', 'it', `SELECT * REPLACE (CASE WHEN territory_id = 'it' AND month = DATE '2024-03-01' AND nuclei IS NOT NULL THEN nuclei + 10 ELSE nuclei END AS nuclei) FROM x ORDER BY territory_id, measure, month`);
		await expect(verifyPublished(dir)).rejects.toThrow(/parent-children equation: .*"parent":"it".*nuclei: children do not add up to the parent/);
	});

	test("a hidden Italia cell whose Regioni are all published (recoverable by subtraction)", async () => {
		const db = await openDb();
		const italia = join(out, readManifest().version, 'italia.parquet');
		// a month and a column whose Regioni all publish it (and Italia too)
		let key: { m: string; col: string } | undefined;
		for (const col of ['nuclei_cittadinanza_it', 'nuclei_patto_inclusione', 'nuclei_1', 'nuclei_2', 'nuclei']) {
			const [hit] = await db.all<{ m: string }>(
				`SELECT strftime(month, '%Y-%m-%d') AS m FROM read_parquet(${sqlString(italia)}) WHERE level IN ('italia', 'regione') GROUP BY month HAVING count(${col}) = count(*) ORDER BY month LIMIT 1`
			);
			if (hit) key ??= { m: hit.m, col };
		}
		db.close();
		expect(key).toBeDefined();
		const { m, col } = key!;
		const at = `territory_id = 'it' AND month = DATE ${sqlString(m)}`;
		const { dir } = await tamper(
			'hidden',
			'it',
			`SELECT * REPLACE (CASE WHEN ${at} THEN NULL ELSE ${col} END AS ${col}, CASE WHEN ${at} THEN list_append(soppressi_secondari, '${col}') ELSE soppressi_secondari END AS soppressi_secondari) FROM x ORDER BY territory_id, measure, month`
		);
		await expect(verifyPublished(dir)).rejects.toThrow(new RegExp(`parent-children equation: .*${col}: a hidden cell is recoverable by subtraction`));
	});

	function readManifest(): Manifest {
		return JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
	}
});
