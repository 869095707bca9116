/**
 * verify's check of the Regione boundary files: a publication of the tiny world built with the
 * real boundaries (its codes are real ISTAT codes) verifies; each tampered copy of a boundary
 * file (size and sha256 updated in the manifest) fails, naming the file and the fault.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Manifest } from '../contracts/index.ts';
import { build } from './build.ts';
import { silentLogger } from './log.ts';
import { sha256File } from './publish.ts';
import { household, tempDir, tinyRegistry, writeMicrodataCsv, type HouseholdRow } from './test-support.ts';
import { verifyPublished } from './verify.ts';

const SOURCE = new URL('../../shared/data/geo/italy_comuni_province_regioni.topo.json', import.meta.url).pathname;
const COMUNI = ['001001', '001002', '001003', '001004', '002001', '002002', '007001', '007002', '007003'];

function rows(): HouseholdRow[] {
	let id = 1;
	return ['2024-01', '2024-02'].flatMap((month) => COMUNI.flatMap((comune, i) => Array.from({ length: 4 + i }, () => household(month, 'ADI', comune, id++))));
}

describe('verify: the Regione boundary files and their ATS areas', () => {
	const root = tempDir();
	const out = join(root, 'extracts');
	beforeAll(async () => {
		mkdirSync(join(root, 'md'));
		writeMicrodataCsv(join(root, 'md', 'm.csv'), rows());
		await build({ microdata: join(root, 'md'), out, registry: tinyRegistry(), boundaries: SOURCE, lastMonth: '2024-02', log: silentLogger });
	}, 60_000);

	/** A copy of the publication whose Regione 01 boundary file is edited by `edit` (the manifest's size and hash follow), with `schema`. */
	function tamper(name: string, edit: (topo: Topology) => void, schema?: number): { dir: string; path: string } {
		const dir = join(root, name);
		cpSync(out, dir, { recursive: true });
		const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
		const f = m.files.find((x) => x.kind === 'boundaries' && x.path.endsWith('/geo/01.topo.json'))!;
		const abs = join(dir, f.path);
		const topo = JSON.parse(readFileSync(abs, 'utf8')) as Topology;
		edit(topo);
		writeFileSync(abs, JSON.stringify(topo));
		f.bytes = readFileSync(abs).length;
		f.sha256 = sha256File(abs);
		writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, schema_version: schema ?? m.schema_version }));
		return { dir, path: f.path };
	}
	const areas = (topo: Topology) => (topo.objects.ats as GeometryCollection).geometries;

	test('the untouched publication verifies; each Regione file has its ATS', async () => {
		await expect(verifyPublished(out)).resolves.toMatchObject({ files: expect.any(Number) });
		const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
		const topo = JSON.parse(readFileSync(join(out, m.version, 'geo/01.topo.json'), 'utf8')) as Topology;
		expect(areas(topo).map((g) => g.id)).toEqual(['a:X01001', 'a:X01002', 'a:X01003']);
	});

	test('a file without the ats object (manifest schema 6)', async () => {
		const { dir, path } = tamper('no-ats', (t) => delete t.objects.ats);
		await expect(verifyPublished(dir)).rejects.toThrow(`${path}: no 'ats' object (manifest schema 6)`);
	});

	test('an older publication (manifest schema 5) without the ats object verifies', async () => {
		const { dir } = tamper('schema-5', (t) => delete t.objects.ats, 5);
		await expect(verifyPublished(dir)).resolves.toMatchObject({ files: expect.any(Number) });
	});

	test('an ATS missing', async () => {
		const { dir, path } = tamper('missing', (t) => areas(t).splice(1, 1));
		await expect(verifyPublished(dir)).rejects.toThrow(`${path}: 1 ATS of Regione 01 without an area: a:X01002`);
	});

	test('an ATS id prefixed twice', async () => {
		const { dir, path } = tamper('prefix', (t) => (areas(t)[0]!.id = 'a:a:X01001'));
		await expect(verifyPublished(dir)).rejects.toThrow(`${path}: ATS ids not valid: "a:a:X01001"`);
	});

	test("an ATS of another Regione", async () => {
		const { dir, path } = tamper('foreign', (t) => (areas(t)[2]!.id = 'a:X02001'));
		await expect(verifyPublished(dir)).rejects.toThrow(`${path}: ATS not of Regione 01: a:X02001`);
	});

	test('two ATS areas swapped (each id on the other one’s Comuni)', async () => {
		const { dir, path } = tamper('swapped', (t) => {
			const [a, b] = areas(t) as { arcs: unknown }[];
			[a!.arcs, b!.arcs] = [b!.arcs, a!.arcs];
		});
		await expect(verifyPublished(dir)).rejects.toThrow(`${path}: 2 ATS areas differ from the union of their Comuni (first: a:X01001)`);
	});

	test('a Comune of another Regione in the comuni object', async () => {
		const { dir, path } = tamper('comune', (t) => ((t.objects.comuni as GeometryCollection).geometries[0]!.id = 'c:007001'));
		await expect(verifyPublished(dir)).rejects.toThrow(`${path}: 1 Comuni not of Regione 01 (first: "c:007001")`);
	});
});
