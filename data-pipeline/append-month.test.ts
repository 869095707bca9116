import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { EXTRACT_COLUMNS } from '../contracts/extract.ts';
import type { Manifest } from '../contracts/manifest.ts';
import { build } from './build.ts';
import { keptGroups } from './extract-files.ts';
import { silentLogger } from './log.ts';
import { dayOfMonth, monthOfDay } from './months.ts';
import { footerOf, rowGroupsOfFooter } from './parquet-footer.ts';
import { encodeParquet } from './parquet-writer.ts';
import { sha256File } from './publish.ts';
import { household, rowsOfParquet, tempDir, tinyRegistry, writeMicrodataCsv, writerColumns, type HouseholdRow } from './test-support.ts';
import { verifyPublished, verifyVersion } from './verify.ts';

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

/** The rows of a Parquet file (month as days) that `where` keeps, in file order, with `edit` applied. */
async function rowsOf(file: string, where: string, edit: (r: Record<string, unknown>) => void): Promise<Record<string, unknown>[]> {
	const rows = await rowsOfParquet(file, (x) => `SELECT * FROM ${x} WHERE ${where}`);
	rows.forEach(edit);
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
		expect(groups.map((g) => [g.months!.min, g.months!.max].map((d) => monthOfDay(d)))).toEqual([
			['2023-09', '2023-12'],
			['2024-01', '2024-01']
		]);
	}, 60_000);

	let previous: Manifest;

	test('a month of the same year copies the earlier row groups byte for byte; the files are those of a full rebuild, and verify', async () => {
		const before = (previous = manifestOf(out));
		const old = (rel: string) => readFileSync(join(out, before.version, rel));
		writeMicrodataCsv(join(md, '2024-02.csv'), monthRows('2024-02'));
		const r = await build(opts(out, '2024-02'));
		expect(r.recomputedMonths).toEqual(['2024-02']);
		expect(r.incrementalFrom).toBeDefined();
		expect(r.verifiedFrom).toBeDefined();
		expect(r.incrementalFrom! < '2024-02').toBe(true);
		for (const rel of ['regione/01.parquet', 'ats/X01001.parquet', 'comune/001001.parquet']) {
			const kept = keptGroups(old(rel), rel.startsWith('regione/'), dayOfMonth('2024-01'));
			expect(kept.groups.length, rel).toBeGreaterThan(0);
			expect(fileOf(out, rel).subarray(0, kept.bytes.length).equals(kept.bytes), rel).toBe(true);
		}
		// Regione 01: whole months up to GROUP_ROWS rows, and a new group on 1 January
		const regione = rowGroupsOfFooter(footerOf(fileOf(out, 'regione/01.parquet'))).groups;
		expect(regione.length).toBeGreaterThan(2);
		expect(regione.every((g) => g.months!.max < dayOfMonth('2024-01') || g.months!.min >= dayOfMonth('2024-01'))).toBe(true);
		expect(r.verifiedFrom).toBe('2024-01-01');
		expect(published(out)).toEqual(await fullRebuild('2024-02'));
		await expect(verifyPublished(out)).resolves.toMatchObject({ version: r.version });
	}, 60_000);

	/**
	 * A copy of the current version (as a staging folder) in which the Comune file `rel` is
	 * encoded again: its first row group kept byte for byte (`keepFirst`) or not, and `edit`
	 * applied to its rows; the manifest's size and sha256 follow.
	 */
	async function tampered(rel: string, keepFirst: boolean, edit: (r: Record<string, unknown>) => void): Promise<{ staging: string; m: Manifest }> {
		const m = manifestOf(out);
		const staging = join(root, `tampered-${n++}`);
		cpSync(join(out, m.version), staging, { recursive: true });
		const file = join(staging, rel);
		const bytes = readFileSync(file);
		const cut = `month >= ${dayOfMonth('2024-01')}`;
		const recent = await rowsOf(file, cut, edit);
		const groups = [{ rows: recent.length, column: writerColumns(recent) }];
		if (!keepFirst) {
			const earlier = await rowsOf(file, `NOT (${cut})`, edit);
			groups.unshift({ rows: earlier.length, column: writerColumns(earlier) });
		}
		const kept = keepFirst ? keptGroups(bytes, false, dayOfMonth('2024-01')) : undefined;
		writeFileSync(file, encodeParquet(EXTRACT_COLUMNS, groups, kept).bytes);
		const f = m.files.find((x) => x.path === `${m.version}/${rel}`)!;
		f.bytes = readFileSync(file).length;
		f.sha256 = sha256File(file);
		return { staging, m };
	}

	test("verify checks the new row groups: a changed value in this year's months is caught", async () => {
		const { staging, m } = await tampered('comune/001002.parquet', true, (r) => {
			if (r.territory_id === 'c:001002' && r.nuclei !== null && Number(r.month) === dayOfMonth('2024-02')) r.nuclei = Number(r.nuclei) + 1;
		});
		await expect(verifyVersion(out, m, { staging, previous })).rejects.toThrow(/rows differ from the same rows in italia\/regione files.*comune\/001002\.parquet/);
	}, 30_000);

	test('verify checks a row group that is no longer byte for byte the previous one: a changed value in an earlier year is caught', async () => {
		const { staging, m } = await tampered('comune/001002.parquet', false, (r) => {
			if (r.territory_id === 'c:001002' && r.nuclei !== null && Number(r.month) === dayOfMonth('2023-10')) r.nuclei = Number(r.nuclei) + 1;
		});
		await expect(verifyVersion(out, m, { staging, previous })).rejects.toThrow(/rows differ from the same rows in italia\/regione files.*comune\/001002\.parquet/);
		// encoded again without the change, the file is the same bytes: its earlier row group is shared again
		const same = await tampered('comune/001002.parquet', false, () => {});
		await expect(verifyVersion(out, same.m, { staging: same.staging, previous })).resolves.toMatchObject({ from: '2024-01-01' });
	}, 30_000);

	test("a previous version's file changed after its publication is named, not trusted", async () => {
		const m = manifestOf(out);
		const staging = join(root, `copy-${n++}`);
		cpSync(join(out, m.version), staging, { recursive: true });
		const prevFile = join(out, previous.version, 'comune/001003.parquet');
		const original = readFileSync(prevFile);
		try {
			const changed = Buffer.from(original);
			changed[10] = changed[10]! ^ 0xff;
			writeFileSync(prevFile, changed);
			await expect(verifyVersion(out, m, { staging, previous })).rejects.toThrow(/comune\/001003\.parquet: the previous version's file differs from its manifest/);
		} finally {
			writeFileSync(prevFile, original);
		}
		await expect(verifyVersion(out, m, { staging, previous })).resolves.toMatchObject({ from: '2024-01-01' });
	}, 30_000);

	test("a previous version's summary gone missing is named (its earlier months came from it)", async () => {
		const m = manifestOf(out);
		const staging = join(root, `copy-${n++}`);
		cpSync(join(out, m.version), staging, { recursive: true });
		const prevFile = join(out, previous.version, 'summary/comune/001003.json');
		const original = readFileSync(prevFile);
		try {
			rmSync(prevFile);
			await expect(verifyVersion(out, m, { staging, previous })).rejects.toThrow(/summary\/comune\/001003\.json: the previous version's file is missing/);
		} finally {
			writeFileSync(prevFile, original);
		}
	}, 30_000);

	test("a summary whose earlier months differ from the previous version's is caught", async () => {
		const m = manifestOf(out);
		const staging = join(root, `summary-${n++}`);
		cpSync(join(out, m.version), staging, { recursive: true });
		const f = m.files.find((x) => x.path === `${m.version}/summary/comune/001002.json`)!;
		const file = join(staging, 'summary/comune/001002.json');
		const json = JSON.parse(readFileSync(file, 'utf8'));
		json.territory.runs[0].nuclei[0] += 1;
		writeFileSync(file, JSON.stringify(json));
		f.bytes = readFileSync(file).length;
		f.sha256 = sha256File(file);
		await expect(verifyVersion(out, m, { staging, previous })).rejects.toThrow(/summary\/comune\/001002\.json: summary differs from the extract rows/);
	}, 30_000);
	test('a previous version of manifest schema 4 (summaries without `secondari`) verifies; the next month is written whole, as a full rebuild', async () => {
		const copy = join(root, 'schema-4');
		cpSync(out, copy, { recursive: true });
		const m = manifestOf(copy);
		let stripped = 0;
		for (const f of m.files.filter((x) => x.kind === 'summary')) {
			const file = join(copy, f.path);
			const text = readFileSync(file, 'utf8');
			const old = text.replace('"schema_version":3', '"schema_version":2').replace(/,"secondari":\[[\d,]*\]/g, () => (stripped++, ''));
			writeFileSync(file, old);
			f.bytes = Buffer.byteLength(old);
			f.sha256 = sha256File(file);
		}
		expect(stripped).toBeGreaterThan(0);
		writeFileSync(join(copy, 'manifest.json'), JSON.stringify({ ...m, schema_version: 4 }));
		// verify reads such a version in its own format
		await expect(verifyPublished(copy)).resolves.toMatchObject({ version: m.version });
		writeMicrodataCsv(join(md, '2024-03.csv'), monthRows('2024-03'));
		const r = await build(opts(copy, '2024-03'));
		expect(r.recomputedMonths).toEqual(['2024-03']);
		expect(r.incrementalFrom).toBeUndefined();
		expect(published(copy)).toEqual(await fullRebuild('2024-03'));
	}, 60_000);

	test("a previous file the worker threads cannot reuse (its footer cut off) makes the build write every file again: the files of a full rebuild, verified", async () => {
		const copy = join(root, 'cut-footer');
		cpSync(out, copy, { recursive: true });
		const file = join(copy, manifestOf(copy).version, 'ats/X01001.parquet');
		writeFileSync(file, readFileSync(file).subarray(0, 100));
		writeMicrodataCsv(join(md, '2024-03.csv'), monthRows('2024-03'));
		const said: string[] = [];
		const r = await build(opts(copy, '2024-03', { log: { ...silentLogger, info: (s: string) => said.push(s) } }));
		expect(said.some((s) => s.startsWith('writing every file again'))).toBe(true);
		expect(r.recomputedMonths).toEqual(['2024-03']);
		expect(r.incrementalFrom).toBeUndefined();
		expect(published(copy)).toEqual(await fullRebuild('2024-03'));
		await expect(verifyPublished(copy)).resolves.toMatchObject({ version: r.version });
	}, 60_000);
});
