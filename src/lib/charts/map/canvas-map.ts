/**
 * Pure helpers of the canvas choropleth: the areas projected once per boundary set and size
 * (outline string and bounding box in one pass), a grid of bounding boxes for hit-testing, the
 * drawing plan of one redraw (areas grouped by fill) and the keyboard walk between areas.
 */
import { geoMercator, geoPath, type GeoPermissibleObjects } from 'd3';
import type { Feature, Geometry } from 'geojson';

/** One projected area: its SVG outline (map units, 2 decimals) and bounding box [x0, y0, x1, y1]. */
export interface ProjectedArea {
	id: string;
	d: string;
	box: [number, number, number, number];
}

const round = (v: number) => Math.round(v * 100) / 100;

/** A d3-geo path context that writes the outline string and grows the bounding box (boundaries hold no points: `arc` draws nothing). */
class Recorder {
	d = '';
	box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
	private at(x: number, y: number) {
		const b = this.box;
		if (x < b[0]) b[0] = x;
		if (y < b[1]) b[1] = y;
		if (x > b[2]) b[2] = x;
		if (y > b[3]) b[3] = y;
		return `${round(x)},${round(y)}`;
	}
	moveTo(x: number, y: number) {
		this.d += `M${this.at(x, y)}`;
	}
	lineTo(x: number, y: number) {
		this.d += `L${this.at(x, y)}`;
	}
	closePath() {
		this.d += 'Z';
	}
	arc() {}
	beginPath() {}
}

/** The features projected (Mercator, fitted to `width` × `height`) in their order. */
export function projectAreas(features: readonly Feature<Geometry, unknown>[], width: number, height: number): ProjectedArea[] {
	const fc = { type: 'FeatureCollection', features } as unknown as Parameters<ReturnType<typeof geoMercator>['fitSize']>[1];
	const projection = geoMercator().fitSize([width, height], fc);
	return features.map((f) => {
		const rec = new Recorder();
		geoPath(projection, rec).pointRadius(0)(f as GeoPermissibleObjects);
		return { id: String(f.id), d: rec.d, box: rec.box };
	});
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
