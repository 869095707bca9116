/**
 * Pure helpers of the small multiples: one panel per territory, monthly values with gaps
 * where a value is suppressed, and y domains shared across panels or one per panel.
 */
import { extent, scaleLinear, scaleUtc, type ScaleLinear, type ScaleTime } from 'd3';
import type { TableModel } from '#lib/export/index.ts';

/** One territory's series: months (first day, UTC) and values (null = suppressed or absent). */
export interface Series {
	id: string;
	name: string;
	months: Date[];
	values: (number | null)[];
}

/** The y domain [0, max] of each panel: one for all (`shared`) or one per panel. */
export function yDomains(series: readonly Series[], shared: boolean): [number, number][] {
	const maxOf = (s: Series) => Math.max(0, ...s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
	if (shared) {
		const max = Math.max(0, ...series.map(maxOf)) || 1;
		return series.map(() => [0, max]);
	}
	return series.map((s) => [0, maxOf(s) || 1]);
}

/** The x domain covering every month of every panel. */
export function xDomain(series: readonly Series[]): [Date, Date] {
	const all = series.flatMap((s) => s.months);
	const [lo, hi] = extent(all);
	return lo && hi ? [lo, hi] : [new Date(Date.UTC(2019, 3, 1)), new Date(Date.UTC(2019, 3, 1))];
}

/** Number of panel columns that fit `width` with panels at least `minPanel` wide. */
export function panelColumns(width: number, count: number, minPanel = 220): number {
	return Math.max(1, Math.min(count, Math.floor(width / minPanel)));
}

/** Scales of one panel of size w × h with the given margins. */
export function panelScales(
	x: [Date, Date],
	y: [number, number],
	w: number,
	h: number,
	m = { top: 8, right: 8, bottom: 20, left: 40 }
): { x: ScaleTime<number, number>; y: ScaleLinear<number, number> } {
	return {
		x: scaleUtc().domain(x).range([m.left, w - m.right]),
		y: scaleLinear().domain(y).nice(4).range([h - m.bottom, m.top])
	};
}

/** Counts the suppressed points of a series (shown as gaps, said in the caption). */
export function gapCount(s: Series): number {
	return s.values.filter((v) => v === null).length;
}

/**
 * The panels' data as one table: a row per month (the months of the reference, else of the
 * first panel), a column per territory, the reference last; "—" where a territory has no row
 * for the month, null (shown "< 3"/"n.d.") where its value is suppressed.
 */
export function seriesTable(
	series: readonly Series[],
	reference: Series | null,
	opts: { caption: string; kind: 'count' | 'euro' | 'rate'; formatMonth: (m: Date) => string }
): TableModel {
	const all = reference ? [...series, reference] : [...series];
	const months = (reference ?? series[0])?.months ?? [];
	// One lookup per territory (month time → value) instead of a search per cell.
	const lookups = all.map((s) => new Map(s.months.map((m, i) => [m.getTime(), s.values[i]])));
	return {
		caption: opts.caption,
		columns: [
			{ key: 'mese', label: 'Mese', kind: 'text' },
			...all.map((s, i) => ({ key: `s${i}`, label: s === reference ? `${s.name} (riferimento)` : s.name, kind: opts.kind }))
		],
		rows: months.map((m) => {
			const row: Record<string, string | number | null> = { mese: opts.formatMonth(m) };
			lookups.forEach((l, i) => (row[`s${i}`] = l.has(m.getTime()) ? (l.get(m.getTime()) ?? null) : '—'));
			return row;
		})
	};
}
