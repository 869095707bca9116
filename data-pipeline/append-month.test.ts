import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Manifest } from '../contracts/manifest.ts';
import { build } from './build.ts';
import { keptGroups } from './extract-files.ts';
import { silentLogger } from './log.ts';
import { footerOf, rowGroupsOfFooter } from './parquet-footer.ts';
import { household, tempDir, tinyRegistry, writeMicrodataCsv, type HouseholdRow } from './test-support.ts';
import { verifyPublished } from './verify.ts';

const COMUNI = ['001001', '001002', '001003', '001004', '002001', '002002', '007001', '007002', '007003'];
/** Rows per Regione row group: a Regione month of the tiny world is ~12–16 rows, so a group holds two or three months. */
const GROUP_ROWS = 40;

function monthRows(month: string): HouseholdRow[] {
	const [main, second] = month < '2024-01' ? ['RdC', 'PdC'] : ['ADI', 'SFL'];
	const rows: HouseholdRow[] = [];
	let id = Number(month.replace('-', '')) * 1000;
	for (const [i, comune] of COMUNI.entries())
		for (let k = 0; k < ((i * 5 + Number(month.slice(5))) % 9) + 1; k++) {
			// a PdC household is all over 60: an even k gives it no minors
			rows.push(k % 3 === 2 ? household(month, second!, comune, id, (id * 3 + i) * 2) : household(month, main!, comune, id, id * 3 + i));
			id++;
		}
	return rows;
}

const manifestOf = (out: string) => JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;

/** Each published extract's sha256 by its path inside the version, and each summary's text without the version name. */
function published(out: string): Map<string, string> {
	const m = manifestOf(out);
	return new Map(m.files.map((f) => [f.path.slice(m.version.length + 1), f.kind === 'summary' ? readFileSync(join(out, f.path), 'utf8').replaceAll(m.version, 'V') : f.sha256]));
}

describe('adding a month keeps the row groups of the earlier months (docs/extracts.md)', () => {
	const root = tempDir();
	const md = join(root, 'md');
	const out = join(root, 'extracts');
	const opts = (o: string, last: string, more = {}) => ({ microdata: md, out: o, registry: tinyRegistry(), lastMonth: last, log: silentLogger, groupRows: GROUP_ROWS, ...more });
	const fileOf = (o: string, rel: string) => readFileSync(join(o, manifestOf(o).version, rel));
	let n = 0;
	/** A full build of the same inputs in a fresh folder, without cache. */
	async function fullRebuild(last: string): Promise<Map<string, string>> {
		const fresh = join(root, `full-${n++}`);
		await build(opts(fresh, last, { cache: false }));
		return published(fresh);
	}

	beforeAll(async () => {
		mkdirSync(md);
		for (const m of ['2023-09', '2023-10', '2023-11', '2023-12']) writeMicrodataCsv(join(md, `${m}.csv`), monthRows(m));
		await build(opts(out, '2023-12'));
	}, 60_000);

	test('the first month of a year writes every file again, as a full rebuild does', async () => {
		writeMicrodataCsv(join(md, '2024-01.csv'), monthRows('2024-01'));
		const r = await build(opts(out, '2024-01'));
		expect(r.recomputedMonths).toEqual(['2024-01']);
		expect(r.incrementalFrom).toBeUndefined();
		expect(published(out)).toEqual(await fullRebuild('2024-01'));
		// a Comune file: the earlier years, then the last month's year
		const groups = rowGroupsOfFooter(footerOf(fileOf(out, 'comune/001001.parquet'))).groups;
		expect(groups.map((g) => [g.months!.min, g.months!.max].map((d) => new Date(d * 86_400_000).toISOString().slice(0, 7)))).toEqual([
			['2023-09', '2023-12'],
			['2024-01', '2024-01']
		]);
	}, 60_000);

	test('a month of the same year copies the earlier row groups byte for byte; the files are those of a full rebuild, and verify', async () => {
		const before = manifestOf(out);
		const old = (rel: string) => readFileSync(join(out, before.version, rel));
		writeMicrodataCsv(join(md, '2024-02.csv'), monthRows('2024-02'));
		const r = await build(opts(out, '2024-02'));
		expect(r.recomputedMonths).toEqual(['2024-02']);
		expect(r.incrementalFrom).toBeDefined();
		expect(r.incrementalFrom! < '2024-02').toBe(true);
		for (const rel of ['regione/01.parquet', 'ats/X01001.parquet', 'comune/001001.parquet']) {
			const kept = keptGroups(old(rel), rel.startsWith('regione/'), Date.UTC(2024, 0, 1) / 86_400_000);
			expect(kept.groups.length, rel).toBeGreaterThan(0);
			expect(fileOf(out, rel).subarray(0, kept.bytes.length).equals(kept.bytes), rel).toBe(true);
		}
		expect(rowGroupsOfFooter(footerOf(fileOf(out, 'regione/01.parquet'))).groups.length).toBeGreaterThan(2);
		expect(published(out)).toEqual(await fullRebuild('2024-02'));
		await expect(verifyPublished(out)).resolves.toMatchObject({ version: r.version });
	}, 60_000);
});
