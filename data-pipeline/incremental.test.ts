import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Manifest } from '../contracts/manifest.ts';
import { build, type BuildReport } from './build.ts';
import { silentLogger } from './log.ts';
import { makeRegistry } from './registry.ts';
import { household, runCli, tempDir, tinyComuni, tinyRegistry, writeMicrodataCsv, writeTinyRegistry, type HouseholdRow } from './test-support.ts';
import { verifyPublished } from './verify.ts';

const COMUNI = ['001001', '001002', '001003', '001004', '002001', '002002', '007001', '007002', '007003'];

/** One month's households; `bump` adds households to the first Comune (a revision). */
function monthRows(month: string, bump = 0): HouseholdRow[] {
	const rows: HouseholdRow[] = [];
	let id = Number(month.replace('-', '')) * 1000;
	for (const [i, comune] of COMUNI.entries())
		for (let k = 0; k < ((i * 5 + Number(month.slice(5))) % 9) + (i === 0 ? bump : 0); k++) {
			rows.push(household(month, 'ADI', comune, id, id * 3 + i));
			if (k % 4 === 1) rows.push(household(month, 'SFL', comune, id, id));
			id++;
		}
	return rows;
}

/** Each published file's sha256 by its path inside the version; summaries compared without the version name. */
function published(out: string): Map<string, string> {
	const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
	return new Map(
		manifest.files.map((f) => {
			const rel = f.path.slice(manifest.version.length + 1);
			return [rel, f.kind === 'summary' ? readFileSync(join(out, f.path), 'utf8').replaceAll(manifest.version, 'V') : f.sha256];
		})
	);
}

const LAST = '2024-06';
const opts = (md: string, out: string, more: Partial<Parameters<typeof build>[0]> = {}) => ({ microdata: md, out, registry: tinyRegistry(), lastMonth: LAST, log: silentLogger, ...more });

describe('incremental build: months whose inputs did not change come from the cache', () => {
	const root = tempDir();
	const md = join(root, 'md');
	const out = join(root, 'extracts');
	let first: BuildReport;

	/** A full build of the same inputs in a fresh folder, without cache. */
	async function fullRebuild(): Promise<Map<string, string>> {
		const fresh = join(root, `full-${Date.now()}`);
		await build(opts(md, fresh, { cache: false }));
		return published(fresh);
	}

	beforeAll(async () => {
		mkdirSync(md);
		for (const m of ['2024-01', '2024-02', '2024-03']) writeMicrodataCsv(join(md, `${m}.csv`), monthRows(m));
		first = await build(opts(md, out));
	}, 60_000);

	test('adding a month computes only that month and publishes the same files as a full rebuild', async () => {
		expect(first.recomputedMonths).toEqual(['2024-01', '2024-02', '2024-03']);
		writeMicrodataCsv(join(md, '2024-04.csv'), monthRows('2024-04'));
		const r = await build(opts(md, out));
		expect(r.recomputedMonths).toEqual(['2024-04']);
		expect(r.months).toEqual({ from: '2024-01', to: '2024-04', count: 4 });
		expect(r.changes.newMonths).toEqual(['2024-04']);
		expect(r.changes.revisedRows).toBe(0);
		expect(r.households).toBe(['2024-01', '2024-02', '2024-03', '2024-04'].reduce((s, m) => s + monthRows(m).length, 0));
		expect(published(out)).toEqual(await fullRebuild());
	}, 60_000);

	test('a revised old month is the only one recomputed and is reported as revised cells', async () => {
		writeMicrodataCsv(join(md, '2024-02.csv'), monthRows('2024-02', 4));
		const r = await build(opts(md, out));
		expect(r.recomputedMonths).toEqual(['2024-02']);
		expect(r.changes.newMonths).toEqual([]);
		expect(r.changes.revisedMonths).toEqual(['2024-02']);
		expect(r.changes.revisedCells).toBeGreaterThan(r.changes.revisedRows);
		expect(published(out)).toEqual(await fullRebuild());
	}, 60_000);

	test('a corrupt or missing cache entry is recomputed', async () => {
		const dir = join(out, '.cache', 'months');
		const entries = readdirSync(dir).sort();
		expect(entries.map((e) => e.slice(0, 7))).toEqual(['2024-01', '2024-02', '2024-03', '2024-04']);
		writeFileSync(join(dir, entries[0]!), 'PAR1 not really');
		const r = await build(opts(md, out));
		expect(r.recomputedMonths).toEqual(['2024-01']);
		expect(published(out)).toEqual(await fullRebuild());
		writeFileSync(join(out, '.cache', 'files.json'), '{"truncat');
		const again = await build(opts(md, out));
		expect(again.recomputedMonths).toEqual([]);
		expect(again.householdsRead).toBeGreaterThan(0); // every file re-hashed and read once more
	}, 60_000);

	test('a changed registry (or rule) misses every month; --no-cache recomputes everything', async () => {
		const comuni = tinyComuni().map((c) => (c.code === '001002' ? { ...c, population: c.population + 1 } : c));
		const r = await build(opts(md, out, { registry: makeRegistry(comuni, 'test world, revised') }));
		expect(r.recomputedMonths).toHaveLength(4);
		const none = await build(opts(md, out, { cache: false }));
		expect(none.recomputedMonths).toHaveLength(4);
		const unchanged = await build(opts(md, out));
		expect(unchanged.recomputedMonths).toEqual([]);
		expect(unchanged.householdsRead).toBe(0);
	}, 60_000);

	test('a household repeated in another file of the same month is a duplicate; nothing is published', async () => {
		const before = readFileSync(join(out, 'manifest.json'), 'utf8');
		const again = monthRows('2024-03').slice(0, 1);
		writeMicrodataCsv(join(md, 'zz-late.csv'), again);
		await expect(build(opts(md, out))).rejects.toThrow(/duplicate household-month: 1 problem\n {2}field household_id: household \d+, ADI 2024-03: 2 rows \(2024-03\.csv row 2; zz-late\.csv row 2\)/);
		expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(before);
		rmSync(join(md, 'zz-late.csv'));
	}, 60_000);

	test('a build killed while caching leaves the previous version served; the next build is exact', async () => {
		const registryFile = writeTinyRegistry(root);
		writeMicrodataCsv(join(md, '2024-05.csv'), monthRows('2024-05'));
		const before = readFileSync(join(out, 'manifest.json'), 'utf8');
		const killed = await runCli(['build', '--microdata', md, '--out', out, '--registry', registryFile, '--last-month', LAST], {
			onStderr: (chunk, kill) => chunk.includes('[suppress]') && kill()
		});
		expect(killed.signal).toBe('SIGKILL');
		expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(before);
		await expect(verifyPublished(out)).resolves.toMatchObject({ version: JSON.parse(before).version });
		const r = await runCli(['build', '--microdata', md, '--out', out, '--registry', registryFile, '--last-month', LAST]);
		expect(r.code).toBe(0);
		expect(r.stderr).toMatch(/new months 2024-05/);
		expect(published(out)).toEqual(await fullRebuild());
		expect(readdirSync(join(out, '.cache', 'months')).filter((n) => !n.endsWith('.parquet'))).toEqual([]);
	}, 60_000);
});
