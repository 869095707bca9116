import { readFileSync } from 'node:fs';
import { geoPath, geoMercator, quantile } from 'd3';
import { mergeArcs } from 'topojson-client';
import type { GeometryCollection, MultiPolygon, Polygon, Topology } from 'topojson-specification';
import { describe, expect, test } from 'vitest';
import {
	MAP_PALETTE,
	atsFeatures,
	classOf,
	comuniFeatures,
	fillOf,
	groupFeatures,
	legendEntries,
	paletteFor,
	quantileBreaks
} from './map-utils.ts';

const fmt = (n: number) => n.toLocaleString('it-IT', { maximumFractionDigits: 1 });

describe('class breaks', () => {
	test('quantile breaks split the known values into equal-count classes, ignoring nulls', () => {
		const values = [null, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, null];
		const breaks = quantileBreaks(values, 5);
		expect(breaks).toHaveLength(4);
		const counts = [0, 0, 0, 0, 0];
		for (const v of values) if (v !== null) counts[classOf(v, breaks)!]++;
		expect(counts).toEqual([2, 2, 2, 2, 2]);
	});
	test('repeated values give fewer classes, never empty ones', () => {
		const breaks = quantileBreaks([0, 0, 0, 0, 0, 0, 5, 9], 5);
		expect(new Set(breaks).size).toBe(breaks.length);
		expect(breaks[0]).toBeGreaterThan(0);
		expect(quantileBreaks([3, 3, 3])).toEqual([]);
	});
	test('common zeros get their own class and the positives are split by quantiles', () => {
		const values = [0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8];
		const breaks = quantileBreaks(values, 5);
		expect(breaks[0]).toBe(1);
		expect(breaks).toHaveLength(4);
		expect(classOf(0, breaks)).toBe(0);
		expect(new Set(values.filter((v) => v > 0).map((v) => classOf(v, breaks))).size).toBe(4);
	});
	test('the same breaks as d3.quantile over the sorted values (the algorithm before, on random data)', () => {
		const before = (values: (number | null)[], classes = MAP_PALETTE.length) => {
			const known = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
			if (new Set(known).size < 2) return [];
			const positive = known.filter((v) => v > 0);
			const zeroClass = known[0] === 0 && positive.length < known.length && new Set(positive).size >= 2;
			const base = zeroClass ? positive : known;
			const k = zeroClass ? classes - 1 : classes;
			const breaks: number[] = zeroClass ? [positive[0]] : [];
			for (let i = 1; i < k; i++) {
				const q = quantile(base, i / k)!;
				if (q > base[0] && (breaks.length === 0 || q > breaks[breaks.length - 1])) breaks.push(q);
			}
			return breaks;
		};
		let x = 5;
		const rnd = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
		for (const n of [0, 1, 2, 3, 7, 50, 1506])
			for (const zeros of [0, 0.3, 0.9]) {
				const values = Array.from({ length: n }, () => (rnd() < 0.1 ? null : rnd() < zeros ? 0 : rnd() < 0.5 ? Math.floor(rnd() * 6) : rnd() * 100));
				for (const classes of [5, 3, 2]) expect(quantileBreaks(values, classes), `${n} ${zeros} ${classes}`).toEqual(before(values, classes));
			}
		expect(quantileBreaks([NaN, Infinity, 2, 2, 4])).toEqual(before([NaN, Infinity, 2, 2, 4]));
	});
	test('a suppressed value has no class and no colour (drawn hatched)', () => {
		expect(classOf(null, [1, 2])).toBeNull();
		expect(fillOf(null, [1, 2], paletteFor([1, 2]))).toBeNull();
		expect(classOf(0, [1, 2])).toBe(0);
		expect(classOf(2, [1, 2])).toBe(2);
	});
	test('the palette is spread over the scheme for fewer classes', () => {
		expect(paletteFor([1, 2, 3, 4])).toEqual([...MAP_PALETTE]);
		const two = paletteFor([1]);
		expect(two).toEqual([MAP_PALETTE[0], MAP_PALETTE[MAP_PALETTE.length - 1]]);
	});
});

describe('legend', () => {
	test('labels each class in Italian and adds "dato riservato" when needed', () => {
		const entries = legendEntries([2.5, 4], paletteFor([2.5, 4]), fmt, true);
		expect(entries.map((e) => e.label)).toEqual([
			'meno di 2,5',
			'da 2,5 a meno di 4',
			'4 e oltre',
			'dato riservato o assente'
		]);
		expect(entries[3].suppressed).toBe(true);
		expect(legendEntries([], paletteFor([]), fmt, false)).toHaveLength(1);
	});
});

describe('boundaries', () => {
	// The real boundaries (openpolis/ISTAT) that the pipeline cuts per Regione.
	const topo = JSON.parse(
		readFileSync(new URL('../../../../../shared/data/geo/italy_comuni_province_regioni.topo.json', import.meta.url), 'utf8')
	) as Topology;

	test('a boundary file as the pipeline writes it (ids already c:ISTAT) keeps its ids: the map finds the rows by them', () => {
		const cut: Topology = {
			type: 'Topology',
			arcs: [],
			objects: { comuni: { type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [14, 41], id: 'c:061001', properties: { istat: '061001', name: 'Ailano' } }] } }
		} as unknown as Topology;
		expect(comuniFeatures(cut).map((f) => [f.id, f.properties.name])).toEqual([['c:061001', 'Ailano']]);
	});

	test('every Comune becomes a feature keyed c:ISTAT with a drawable path', () => {
		const features = comuniFeatures(topo);
		expect(features).toHaveLength(7904);
		const abano = features.find((f) => f.id === 'c:028001')!;
		expect(abano.properties.name).toBe('Abano Terme');
		const path = geoPath(geoMercator().fitSize([400, 400], abano));
		expect(path(abano)).toMatch(/^M/);
	});
	test('Comuni merge into one area per group', () => {
		const groups = new Map([
			['c:028001', 'a:X05001'],
			['c:028060', 'a:X05001'],
			['c:015146', 'a:X03001']
		]);
		const areas = groupFeatures(topo, groups);
		expect(areas.map((a) => a.id).sort()).toEqual(['a:X03001', 'a:X05001']);
		expect(areas.every((a) => a.geometry.coordinates.length > 0)).toBe(true);
	});
	test("a file's ATS areas (object ats, the union of the Comuni's arcs) are the Comuni merged here; a file without them gives null", () => {
		const groups = new Map([
			['c:028001', 'a:X05001'],
			['c:028060', 'a:X05001'],
			['c:015146', 'a:X03001']
		]);
		const comuni = (topo.objects.comuni as GeometryCollection<{ com_istat_code: string }>).geometries as (Polygon | MultiPolygon)[];
		const of = (id: string) => comuni.filter((g) => groups.get(`c:${(g.properties as { com_istat_code: string }).com_istat_code}`) === id);
		const ats = ['a:X03001', 'a:X05001'].map((id) => ({ type: 'MultiPolygon', id, properties: { ats: id.slice(2), name: `Ambito ${id}` }, arcs: mergeArcs(topo, of(id)).arcs }));
		const withAts = { ...topo, objects: { ...topo.objects, ats: { type: 'GeometryCollection', geometries: ats } } } as Topology;
		const areas = atsFeatures(withAts)!;
		expect(areas.map((a) => [a.id, a.properties.name])).toEqual([['a:X03001', 'Ambito a:X03001'], ['a:X05001', 'Ambito a:X05001']]);
		const merged = groupFeatures(topo, groups);
		for (const a of areas) expect(a.geometry).toEqual(merged.find((m) => m.id === a.id)!.geometry);
		expect(atsFeatures(topo)).toBeNull();
	});
});
