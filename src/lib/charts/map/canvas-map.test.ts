import { readFileSync } from 'node:fs';
import { geoMercator, geoPath, polygonContains } from 'd3';
import type { Feature, Geometry } from 'geojson';
import type { Topology } from 'topojson-specification';
import { describe, expect, test } from 'vitest';
import { boxGrid, candidatesAt, fillGroups, fitProjection, keyStep, projectArea, projectAreas } from './canvas-map.ts';
import { comuniFeatures } from './map-utils.ts';

const square = (id: string, x0: number, y0: number, x1: number, y1: number): Feature<Geometry> => ({
	type: 'Feature',
	id,
	properties: {},
	// Clockwise on the sphere (d3-geo's exterior ring).
	geometry: { type: 'Polygon', coordinates: [[[x0, y0], [x0, y1], [x1, y1], [x1, y0], [x0, y0]]] }
});

describe('projected areas', () => {
	test('outlines match d3 geoPath (2 decimals) and boxes hold every vertex', () => {
		const features = [square('a', 9, 45, 9.5, 45.5), square('b', 9.5, 45, 10, 45.5), square('c', 9, 45.5, 10, 46)];
		const areas = projectAreas(features, 640, 560);
		expect(areas.map((a) => a.id)).toEqual(['a', 'b', 'c']);
		const projection = geoMercator().precision(0).fitSize([640, 560], { type: 'FeatureCollection', features } as never);
		for (const [i, f] of features.entries()) {
			const ref = geoPath(projection).digits(2)(f as never)!;
			const nums = (s: string) => s.match(/-?\d+(\.\d+)?/g)!.map(Number);
			const [mine, theirs] = [nums(areas[i].d), nums(ref)];
			expect(mine.length).toBe(theirs.length);
			mine.forEach((v, k) => expect(v).toBeCloseTo(theirs[k], 1));
			const [x0, y0, x1, y1] = areas[i].box;
			for (let k = 0; k < mine.length; k += 2) {
				expect(mine[k]).toBeGreaterThanOrEqual(x0 - 0.01);
				expect(mine[k]).toBeLessThanOrEqual(x1 + 0.01);
				expect(mine[k + 1]).toBeGreaterThanOrEqual(y0 - 0.01);
				expect(mine[k + 1]).toBeLessThanOrEqual(y1 + 0.01);
			}
		}
		// Fitted: the union of the boxes spans the width or the height.
		const xs = areas.flatMap((a) => [a.box[0], a.box[2]]);
		const ys = areas.flatMap((a) => [a.box[1], a.box[3]]);
		expect(Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys))).toBeGreaterThan(550);
	});

	test('one area at a time (work made ahead in idle steps) gives the same outlines and boxes as all at once', () => {
		const features = [square('a', 9, 45, 9.5, 45.5), square('b', 9.5, 45, 10, 45.5), square('c', 9, 45.5, 10, 46)];
		const projection = fitProjection(features, 640, 560);
		expect(features.map((f) => projectArea(projection, f))).toEqual(projectAreas(features, 640, 560));
	});

	test('the Comuni of Lombardia (real boundaries): one closed outline each, inside the map, and the grid finds each under its own centroid', () => {
		const topo = JSON.parse(
			readFileSync(new URL('../../../../../shared/data/geo/italy_comuni_province_regioni.topo.json', import.meta.url), 'utf8')
		) as Topology;
		const lombardia = /^c:(01[2-9]|020|097|098|108)/;
		const features = comuniFeatures(topo).filter((f) => lombardia.test(String(f.id)));
		expect(features.length).toBeGreaterThan(1400);
		const areas = projectAreas(features, 640, 560);
		expect(areas).toHaveLength(features.length);
		for (const a of areas) {
			expect(a.d).toMatch(/^M[\d.,-]+(L[\d.,-]+)+Z/);
			expect(a.box[0]).toBeGreaterThanOrEqual(-0.01);
			expect(a.box[2]).toBeLessThanOrEqual(640.01);
			expect(a.box[3]).toBeLessThanOrEqual(560.01);
		}
		// Without resampling, the same points as d3's default projection (which resamples): nothing is lost at this size.
		const projection = geoMercator().fitSize([640, 560], { type: 'FeatureCollection', features } as never);
		const path = geoPath(projection);
		const points = (d: string) => d.split(/[ML]/).length;
		expect(areas.reduce((n, a) => n + points(a.d), 0)).toBe(features.reduce((n, f) => n + points(path.digits(2)(f as never)!), 0));
		const grid = boxGrid(areas.map((a) => a.box), 640, 560);
		let inside = 0;
		for (const [i, f] of features.entries()) {
			const [x, y] = path.centroid(f as never);
			const rings = (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.type === 'MultiPolygon' ? f.geometry.coordinates : []).map((p) => p[0].map((c) => projection(c as [number, number])!));
			if (!rings.some((r) => polygonContains(r, [x, y]))) continue; // a concave Comune's centroid outside it
			inside++;
			expect(candidatesAt(grid, x, y)).toContain(i);
		}
		expect(inside).toBeGreaterThan(features.length * 0.9);
	});
});

describe('hit-testing grid', () => {
	const boxes: [number, number, number, number][] = [
		[0, 0, 100, 100],
		[50, 50, 150, 150],
		[300, 300, 310, 310],
		[Infinity, Infinity, -Infinity, -Infinity] // an empty geometry
	];
	const grid = boxGrid(boxes, 640, 560, 8);

	test('a point gets the areas whose box holds it, the last drawn first', () => {
		expect(candidatesAt(grid, 10, 10)).toEqual([0]);
		expect(candidatesAt(grid, 75, 75)).toEqual([1, 0]);
		expect(candidatesAt(grid, 120, 120)).toEqual([1]);
		expect(candidatesAt(grid, 305, 305)).toEqual([2]);
	});

	test('a point in no box, or off the map, gets none', () => {
		expect(candidatesAt(grid, 200, 10)).toEqual([]);
		expect(candidatesAt(grid, 311, 305)).toEqual([]);
		expect(candidatesAt(grid, -1, 10)).toEqual([]);
		expect(candidatesAt(grid, 10, 600)).toEqual([]);
	});

	test('agrees with a scan of every box on a grid of points', () => {
		const many: [number, number, number, number][] = Array.from({ length: 200 }, (_, i) => {
			const x = (i * 37) % 600;
			const y = (i * 53) % 520;
			return [x, y, x + 5 + (i % 40), y + 5 + ((i * 7) % 40)];
		});
		const g = boxGrid(many, 640, 560);
		for (let x = 0; x < 640; x += 7)
			for (let y = 0; y < 560; y += 7) {
				const scan = many.flatMap(([x0, y0, x1, y1], i) => (x >= x0 && x <= x1 && y >= y0 && y <= y1 ? [i] : [])).reverse();
				expect(candidatesAt(g, x, y)).toEqual(scan);
			}
	});
});

describe('drawing plan and keys', () => {
	test('areas grouped by fill in order of first appearance, the hatch last, each area once', () => {
		const fills = ['#a', null, '#b', '#a', null, '#c', '#b'];
		const groups = fillGroups(fills.length, (i) => fills[i]);
		expect(groups).toEqual([
			{ fill: '#a', areas: [0, 3] },
			{ fill: '#b', areas: [2, 6] },
			{ fill: '#c', areas: [5] },
			{ fill: null, areas: [1, 4] }
		]);
		expect(fillGroups(0, () => null)).toEqual([]);
	});

	test('arrows wrap around the name order, Home and End go to its ends, other keys do nothing', () => {
		const order = ['a', 'b', 'c'];
		expect(keyStep(order, 'a', 'ArrowRight')).toBe('b');
		expect(keyStep(order, 'c', 'ArrowDown')).toBe('a');
		expect(keyStep(order, 'a', 'ArrowLeft')).toBe('c');
		expect(keyStep(order, 'b', 'ArrowUp')).toBe('a');
		expect(keyStep(order, 'b', 'Home')).toBe('a');
		expect(keyStep(order, 'b', 'End')).toBe('c');
		expect(keyStep(order, 'b', 'x')).toBeNull();
		expect(keyStep([], 'b', 'Home')).toBeNull();
	});
});
