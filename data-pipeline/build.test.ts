import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { build } from './build.ts';
import { silentLogger } from './log.ts';
import { verifyPublished } from './verify.ts';
import { household, runCli, tempDir, tinyRegistry, writeMicrodataCsv, writeTinyRegistry, type HouseholdRow } from './test-support.ts';

const COMUNI = ['001001', '001002', '001003', '001004', '002001', '002002', '007001', '007002', '007003'];

function goodRows(months: string[]): HouseholdRow[] {
	const rows: HouseholdRow[] = [];
	let id = 1;
	for (const month of months)
		for (const [i, comune] of COMUNI.entries())
			for (let k = 0; k < (i * 3) % 11; k++) {
				rows.push(household(month, 'ADI', comune, id, id * 7 + i));
				if (k % 3 === 0) rows.push(household(month, 'SFL', comune, id, id));
				id++;
			}
	return rows;
}

describe('pipeline build: bad input publishes nothing', () => {
	const root = tempDir();
	const out = join(root, 'extracts');
	let registryFile = '';
	let manifestBefore = '';

	beforeAll(async () => {
		registryFile = writeTinyRegistry(root);
		const md = join(root, 'good');
		writeMicrodataCsv(join(tempDirIn(md), 'm.csv'), goodRows(['2024-01', '2024-02']));
		await build({ microdata: md, out, registry: tinyRegistry(), lastMonth: '2024-03', log: silentLogger });
		manifestBefore = readFileSync(join(out, 'manifest.json'), 'utf8');
	}, 60_000);

	function tempDirIn(dir: string): string {
		mkdirSync(dir, { recursive: true });
		return dir;
	}

	const cases: [string, (rows: HouseholdRow[]) => HouseholdRow[], ((lines: string[]) => string[]) | undefined, RegExp][] = [
		['unknown ISTAT code', (r) => (r[1]!.comune = '099999', r), undefined, /unknown ISTAT code: 1 problem\n {2}bad\.csv, row 3, field comune: Comune 099999 is not in the territory registry/],
		['month out of range', (r) => (r[2]!.month = '2030-01', r), undefined, /month out of range: 1 problem\n {2}bad\.csv, row 4, field month: 2030-01-01 is outside 2019-04 … 2024-03/],
		['negative count', (r) => (r[0]!.disabled = -1, r), undefined, /impossible count: 1 problem\n {2}bad\.csv, row 2, field disabled: disabled = -1/],
		['more minors than members', (r) => ((r[0]!.members = 2), (r[0]!.minors = 3), r), undefined, /bad\.csv, row 2, field minors: minors = 3 with members = 2 \(at least one adult\)/],
		['duplicate household-month', (r) => [...r, { ...r[0]! }], undefined, /duplicate household-month: 1 problem\n {2}field household_id: household 1, ADI 2024-03: 2 rows \(bad\.csv row 2; bad\.csv row \d+\)/],
		['unparseable row', (r) => r, (l) => [...l.slice(0, 3), '2024-03,ADI,001001', ...l.slice(3)], /unparseable row: 1 problem\n {2}bad\.csv, row 4/],
		['unparseable value', (r) => r, (l) => l.map((x, i) => (i === 2 ? x.replace(/^(([^,]*,){4})[^,]*/, '$1tre') : x)), /unparseable value: 1 problem\n {2}bad\.csv, row 3, field members/],
		['missing column', (r) => r, (l) => l.map((x) => x.split(',').filter((_, i) => i !== 10).join(',')), /missing column: 1 problem\n {2}bad\.csv, field amount: required column absent/]
	];

	test.each(cases)('%s: error names file, row and field; exit code 2; previous version untouched', async (_name, edit, mutate, expected) => {
		const dir = join(root, `bad-${_name.replaceAll(' ', '-')}`);
		tempDirIn(dir);
		writeMicrodataCsv(join(dir, 'bad.csv'), edit(goodRows(['2024-03'])), mutate);
		const r = await runCli(['build', '--microdata', dir, '--out', out, '--registry', registryFile, '--last-month', '2024-03']);
		expect(r.stderr).toMatch(expected);
		expect(r.stderr).toContain('Nothing was published');
		expect(r.code).toBe(2);
		expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(manifestBefore);
		expect(readdirSync(out).filter((n) => n.startsWith('.staging'))).toEqual([]);
	});

	test('wrong encoding is reported with its line', async () => {
		const dir = join(root, 'bad-encoding');
		tempDirIn(dir);
		writeMicrodataCsv(join(dir, 'bad.csv'), goodRows(['2024-03']));
		const text = readFileSync(join(dir, 'bad.csv'));
		const at = text.indexOf('\n', text.indexOf('\n') + 1) + 1;
		writeFileSync(join(dir, 'bad.csv'), Buffer.concat([text.subarray(0, at), Buffer.from([0xe8]), text.subarray(at)]));
		const r = await runCli(['build', '--microdata', dir, '--out', out, '--registry', registryFile, '--last-month', '2024-03']);
		expect(r.stderr).toMatch(/wrong encoding: 1 problem\n {2}bad\.csv, row 3.*not utf-8 encoded/);
		expect(r.code).toBe(2);
		expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(manifestBefore);
		await expect(verifyPublished(out)).resolves.toMatchObject({ version: JSON.parse(manifestBefore).version });
	});
});
