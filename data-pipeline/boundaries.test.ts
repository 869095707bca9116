/**
 * The per-Regione boundary files: the Comuni of the Regione, and the ATS areas as unions of
 * their Comuni made of the same arcs. Written from the real boundaries (openpolis/ISTAT, read
 * in place from ../shared/data/geo/) for a registry of two small Regioni.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { geoArea, geoBounds } from 'd3';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, MultiPolygon, Polygon, Topology } from 'topojson-specification';
import { beforeAll, describe, expect, test } from 'vitest';
import { syntheticAtsMap, type AtsMap } from './ats-map.ts';
import { writeBoundaries } from './boundaries.ts';
import { silentLogger } from './log.ts';
import { loadComuniJson, makeRegistry, type Registry } from './registry.ts';
import { tempDir } from './test-support.ts';

const SOURCE = new URL('../../shared/data/geo/italy_comuni_province_regioni.topo.json', import.meta.url).pathname;

/** Every arc index of a Polygon or MultiPolygon's rings. */
function arcsOf(g: Polygon | MultiPolygon): number[] {
	const polygons = g.type === 'Polygon' ? [g.arcs] : g.arcs;
	return polygons.flat(2).map((a) => (a < 0 ? ~a : a));
}

describe('writeBoundaries: a Regione file holds its Comuni and its ATS areas', () => {
	// Valle d'Aosta (one Provincia, 2 synthetic ATS) and Liguria (4 Province, ~16 ATS)
	let registry: Registry;
	let ats: AtsMap;
	let dir: string;
	beforeAll(async () => {
		const all = loadComuniJson();
		registry = makeRegistry(all.comuni.filter((c) => c.region === '02' || c.region === '07'), 'two Regioni');
		ats = syntheticAtsMap(registry);
		dir = tempDir();
		await writeBoundaries(SOURCE, registry, ats, dir, silentLogger);
	}, 60_000);
	const read = (region: string) => JSON.parse(readFileSync(join(dir, 'geo', `${region}.topo.json`), 'utf8')) as Topology;

	test.each(['02', '07'])('Regione %s: one area per ATS, keyed a:CODE, each the union of its Comuni', (region) => {
		const topo = read(region);
		const expected = [...ats.ats.values()].filter((a) => a.region === region);
		expect(expected.length).toBeGreaterThan(1);
		const areas = (topo.objects.ats as GeometryCollection<{ ats: string; name: string }>).geometries as (MultiPolygon<{ ats: string; name: string }> & { id: string })[];
		expect(areas.map((g) => g.id)).toEqual(expected.map((a) => `a:${a.code}`).sort());
		expect(areas.map((g) => g.properties!.name).sort()).toEqual(expected.map((a) => a.name).sort());
		const comuni = (topo.objects.comuni as GeometryCollection<{ istat: string }>).geometries as (Polygon | MultiPolygon)[];
		const comuniFeatures = (feature(topo, topo.objects.comuni) as FeatureCollection<Geometry, { istat: string }>).features;
		const areaFeatures = (feature(topo, topo.objects.ats) as FeatureCollection<Geometry>).features;
		for (const [k, g] of areas.entries()) {
			const code = g.properties!.ats;
			const members = comuniFeatures.filter((f) => ats.comuneToAts.get(f.properties.istat) === code);
			expect(members.length).toBeGreaterThan(0);
			const area = areaFeatures[k]!;
			// the area of the union is the sum of the Comuni's (they do not overlap), its bounds their union
			const sum = members.reduce((s, f) => s + geoArea(f), 0);
			expect(geoArea(area)).toBeLessThan(0.01);
			expect(geoArea(area)).toBeCloseTo(sum, 12);
			const boxes = members.map((f) => geoBounds(f));
			const union = [
				[Math.min(...boxes.map((b) => b[0][0])), Math.min(...boxes.map((b) => b[0][1]))],
				[Math.max(...boxes.map((b) => b[1][0])), Math.max(...boxes.map((b) => b[1][1]))]
			];
			expect(geoBounds(area as Feature)).toEqual(union);
			// no new coordinates: the area uses its Comuni's arcs, and none of those they share
			const own = comuni.filter((c) => ats.comuneToAts.get((c.properties as { istat: string }).istat) === code).flatMap(arcsOf);
			const count = new Map<number, number>();
			for (const a of own) count.set(a, (count.get(a) ?? 0) + 1);
			expect(arcsOf(g).every((a) => count.get(a) === 1)).toBe(true);
			expect(new Set(arcsOf(g)).size).toBe([...count.values()].filter((n) => n === 1).length);
		}
	});

	test('the Comuni keep their ids and properties (c:ISTAT, {istat, name})', () => {
		const geoms = (read('02').objects.comuni as GeometryCollection<{ istat: string; name: string }>).geometries;
		expect(geoms).toHaveLength(registry.comuni.filter((c) => c.region === '02').length);
		const aosta = geoms.find((g) => g.id === 'c:007003')!;
		expect(aosta.properties).toEqual({ istat: '007003', name: 'Aosta' });
	});
});
