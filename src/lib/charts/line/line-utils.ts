/** Scales and paths of the monthly line chart (plain d3, unit-tested). */
import { extent, max, min } from 'd3-array';
import { scaleLinear, scaleUtc, type ScaleLinear, type ScaleTime } from 'd3-scale';
import { line } from 'd3-shape';

export interface LinePoint {
	/** `YYYY-MM` */
	month: string;
	/** null: suppressed or not published (a gap in the line). */
	value: number | null;
	/** What a null value reads in the readout when not the kind's own ("n.d." for a count not known to be under 3, `countCell`). */
	hidden?: string;
}

export interface LineSeries {
	id: string;
	label: string;
	color: string;
	dash: string;
	points: LinePoint[];
	width?: number;
}

export interface Margins {
	top: number;
	right: number;
	bottom: number;
	left: number;
}

const dates = new Map<string, Date>();

/**
 * `2024-01` → the UTC date of its first day. Kept per month (a few hundred at most): a chart
 * asks for every point's date on each draw, and parsing them was ~10 ms of Andamento's first view.
 * The same Date object comes back for a month: treat it as read-only.
 */
export function monthDate(month: string): Date {
	let d = dates.get(month);
	if (!d) {
		const [y, m] = month.split('-').map(Number);
		dates.set(month, (d = new Date(Date.UTC(y, m - 1, 1))));
	}
	return d;
}

/** Every month present in any series, sorted. */
export function allMonths(series: readonly LineSeries[]): string[] {
	return [...new Set(series.flatMap((s) => s.points.map((p) => p.month)))].sort();
}

/** The x scale over the months, in pixels inside the margins. */
export function xScale(months: readonly string[], width: number, m: Margins): ScaleTime<number, number> {
	const [a, b] = extent(months.map(monthDate)) as [Date, Date];
	return scaleUtc().domain([a ?? new Date(0), b ?? new Date(0)]).range([m.left, Math.max(m.left + 1, width - m.right)]);
}

/** The y scale from 0 (or the lowest negative value) to a nice maximum. */
export function yScale(series: readonly LineSeries[], height: number, m: Margins): ScaleLinear<number, number> {
	const values = series.flatMap((s) => s.points.map((p) => p.value)).filter((v): v is number => v !== null);
	const hi = max(values) ?? 1;
	const lo = Math.min(0, min(values) ?? 0);
	return scaleLinear().domain([lo, hi > lo ? hi : lo + 1]).nice().range([height - m.bottom, m.top]);
}

/** The SVG path of a series; suppressed months break the line. */
export function linePath(points: readonly LinePoint[], x: ScaleTime<number, number>, y: ScaleLinear<number, number>): string {
	return (
		line<LinePoint>()
			.defined((p) => p.value !== null)
			.x((p) => x(monthDate(p.month)))
			.y((p) => y(p.value as number))(points as LinePoint[]) ?? ''
	);
}

/** Points standing alone between gaps (drawn as dots, since a path would not show them). */
export function isolated(points: readonly LinePoint[]): LinePoint[] {
	return points.filter((p, i) => p.value !== null && (points[i - 1]?.value ?? null) === null && (points[i + 1]?.value ?? null) === null);
}

/** The index of the month nearest to pixel `px`. */
export function nearestMonth(months: readonly string[], x: ScaleTime<number, number>, px: number): number {
	let best = 0;
	let bestD = Infinity;
	months.forEach((m, i) => {
		const d = Math.abs(x(monthDate(m)) - px);
		if (d < bestD) [best, bestD] = [i, d];
	});
	return best;
}
