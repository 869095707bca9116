/**
 * Pure helpers of the canvas choropleth: the areas projected once per boundary set and size
 * (outline string and bounding box in one pass), a grid of bounding boxes for hit-testing, the
 * drawing plan of one redraw (areas grouped by fill) and the keyboard walk between areas.
 */
import { geoMercator, geoPath, type GeoPermissibleObjects, type GeoProjection } from 'd3';
import type { Feature, Geometry } from 'geojson';

/** One projected area: its SVG outline (map units, 2 decimals) and bounding box [x0, y0, x1, y1]. */
export interface ProjectedArea {
	id: string;
	d: string;
	box: [number, number, number, number];
}

/**
 * A d3-geo path context that writes the outline string (2 decimals) and grows the bounding box
 * (boundaries hold no points: `arc` draws nothing). Plain concatenation and fields: for
 * Lombardia's 1,506 Comuni it is as fast as d3's own path string, which gives no box.
 */
class Recorder {
	d = '';
	x0 = Infinity;
	y0 = Infinity;
	x1 = -Infinity;
	y1 = -Infinity;
	moveTo(x: number, y: number) {
		this.grow(x, y);
		this.d += 'M' + Math.round(x * 100) / 100 + ',' + Math.round(y * 100) / 100;
	}
	lineTo(x: number, y: number) {
		this.grow(x, y);
		this.d += 'L' + Math.round(x * 100) / 100 + ',' + Math.round(y * 100) / 100;
	}
	private grow(x: number, y: number) {
		if (x < this.x0) this.x0 = x;
		if (x > this.x1) this.x1 = x;
		if (y < this.y0) this.y0 = y;
		if (y > this.y1) this.y1 = y;
	}
	closePath() {
		this.d += 'Z';
	}
	arc() {}
	beginPath() {}
}

/**
 * The features projected (Mercator, fitted to `width` × `height`) in their order. No adaptive
 * resampling (`precision(0)`): a Comune's or an ATS's edges are far too short for a great-circle
 * arc to bend away from the straight line at this size (Lombardia: the same points as with d3's
 * default, see the test), and the pass is faster.
 */
export function projectAreas(features: readonly Feature<Geometry, unknown>[], width: number, height: number): ProjectedArea[] {
	const projection = fitProjection(features, width, height);
	return features.map((f) => projectArea(projection, f));
}

/** The projection `projectAreas` uses: Mercator fitted to the features at `width` × `height`. */
export function fitProjection(features: readonly Feature<Geometry, unknown>[], width: number, height: number): GeoProjection {
	const fc = { type: 'FeatureCollection', features } as unknown as Parameters<ReturnType<typeof geoMercator>['fitSize']>[1];
	return geoMercator().precision(0).fitSize([width, height], fc);
}

/** One feature projected with `fitProjection`'s projection (`projectAreas`, one area at a time: work split into idle slots). */
export function projectArea(projection: GeoProjection, f: Feature<Geometry, unknown>): ProjectedArea {
	const rec = new Recorder();
	geoPath(projection, rec).pointRadius(0)(f as GeoPermissibleObjects);
	return { id: String(f.id), d: rec.d, box: [rec.x0, rec.y0, rec.x1, rec.y1] };
}

/** Bounding boxes bucketed in an `n` × `n` grid over the map: a point is tested against the few areas whose box covers its cell. */
export interface BoxGrid {
	n: number;
	cw: number;
	ch: number;
	boxes: readonly (readonly [number, number, number, number])[];
	cells: number[][];
}

export function boxGrid(boxes: readonly (readonly [number, number, number, number])[], width: number, height: number, n = 32): BoxGrid {
	const cw = width / n;
	const ch = height / n;
	const cells: number[][] = Array.from({ length: n * n }, () => []);
	const clamp = (v: number) => Math.min(n - 1, Math.max(0, v));
	boxes.forEach(([x0, y0, x1, y1], i) => {
		if (!(x1 >= x0 && y1 >= y0)) return; // an empty geometry
		for (let gy = clamp(Math.floor(y0 / ch)); gy <= clamp(Math.floor(y1 / ch)); gy++)
			for (let gx = clamp(Math.floor(x0 / cw)); gx <= clamp(Math.floor(x1 / cw)); gx++) cells[gy * n + gx].push(i);
	});
	return { n, cw, ch, boxes, cells };
}

/** The indices of the areas whose bounding box holds the point, last drawn first (the one on top wins). */
export function candidatesAt(grid: BoxGrid, x: number, y: number): number[] {
	const gx = Math.floor(x / grid.cw);
	const gy = Math.floor(y / grid.ch);
	if (gx < 0 || gy < 0 || gx >= grid.n || gy >= grid.n) return [];
	const out: number[] = [];
	const cell = grid.cells[gy * grid.n + gx];
	for (let k = cell.length - 1; k >= 0; k--) {
		const [x0, y0, x1, y1] = grid.boxes[cell[k]];
		if (x >= x0 && x <= x1 && y >= y0 && y <= y1) out.push(cell[k]);
	}
	return out;
}

/**
 * One redraw's plan: the area indices grouped by fill (a colour, or null for the hatch), in
 * order of first appearance with the hatch last, so the canvas sets each fill style once.
 */
export function fillGroups(count: number, fillAt: (i: number) => string | null): { fill: string | null; areas: number[] }[] {
	const groups = new Map<string | null, number[]>();
	for (let i = 0; i < count; i++) {
		const f = fillAt(i);
		let g = groups.get(f);
		if (!g) groups.set(f, (g = []));
		g.push(i);
	}
	const hatched = groups.get(null);
	groups.delete(null);
	const out = [...groups].map(([fill, areas]) => ({ fill, areas }));
	if (hatched) out.push({ fill: null, areas: hatched });
	return out;
}

/** The area a key moves the focus to in `order` (arrows wrap around, Home/End), or null for any other key. */
export function keyStep(order: readonly string[], current: string, key: string): string | null {
	if (order.length === 0) return null;
	const i = order.indexOf(current);
	if (key === 'ArrowRight' || key === 'ArrowDown') return order[(i + 1) % order.length];
	if (key === 'ArrowLeft' || key === 'ArrowUp') return order[(i - 1 + order.length) % order.length];
	if (key === 'Home') return order[0];
	if (key === 'End') return order[order.length - 1];
	return null;
}
