/**
 * Pure helpers of the ranking chart: which territories make the top/bottom N, and the
 * horizontal bar layout. Suppressed values (null) are never ranked: they are not 0.
 */
import { scaleLinear, type ScaleLinear } from 'd3';
import { firstK } from '../first-k.ts';

export type RankingSide = 'top' | 'bottom';

/** One bar: the row index in the source columns, its value and its 1-based rank among known values. */
export interface RankedItem {
	index: number;
	value: number;
	rank: number;
}

/**
 * The N highest (`top`) or lowest (`bottom`) known values, in display order (top: largest
 * first; bottom: smallest first). Ties break on `names` so the order is stable.
 */
export function rankItems(
	values: ArrayLike<number | null>,
	n: number,
	side: RankingSide,
	names?: ArrayLike<string>
): { items: RankedItem[]; known: number; suppressed: number } {
	const known: number[] = [];
	for (let i = 0; i < values.length; i++) {
		const v = values[i];
		if (v !== null && Number.isFinite(v)) known.push(i);
	}
	// Largest first; ties on the name, else the input order.
	const order = (a: number, b: number) =>
		(values[b] as number) - (values[a] as number) || (names ? names[a].localeCompare(names[b], 'it') : 0) || a - b;
	// Only the N shown are put in order (bottom: the last N of that order, smallest first).
	const picked = firstK(known, side === 'top' ? order : (a, b) => order(b, a), n);
	return {
		items: picked.map((index, j) => ({ index, value: values[index] as number, rank: side === 'top' ? j + 1 : known.length - j })),
		known: known.length,
		suppressed: values.length - known.length
	};
}

/** Geometry of the bar chart. */
export interface RankingLayout {
	x: ScaleLinear<number, number>;
	height: number;
	barY: (i: number) => number;
	barHeight: number;
}

/**
 * The x scale starts at 0 and reaches the largest bar or the reference (the scope's value),
 * whichever is larger, so the reference line always lies inside the plot.
 */
export function rankingLayout(
	items: readonly RankedItem[],
	reference: number | null,
	opts: { left: number; right: number; width: number; rowHeight?: number; top?: number }
): RankingLayout {
	const rowHeight = opts.rowHeight ?? 22;
	const top = opts.top ?? 24;
	const max = Math.max(0, reference ?? 0, ...items.map((d) => d.value));
	const x = scaleLinear()
		.domain([0, max || 1])
		.nice()
		.range([opts.left, Math.max(opts.left + 10, opts.width - opts.right)]);
	return {
		x,
		height: top + items.length * rowHeight + 24,
		barY: (i) => top + i * rowHeight + 3,
		barHeight: rowHeight - 6
	};
}

/** Truncates a long name for the axis label (the full name stays in the title and the table). */
export function shortLabel(name: string, max = 22): string {
	return name.length <= max ? name : `${name.slice(0, max - 1)}…`;
}
