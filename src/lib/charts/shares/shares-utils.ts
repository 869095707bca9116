/** Layout of the grouped share bars: one band per category, one bar per territory (plain d3, unit-tested). */
import { scaleBand, scaleLinear, type ScaleBand, type ScaleLinear } from 'd3-scale';

export interface ShareBar {
	/** The territory (series) id. */
	id: string;
	share: number | null;
	/** The text a missing bar shows: "< 3" (suppressed) or "n.d." */
	missing?: string;
}

export interface ShareRow {
	key: string;
	label: string;
	/** Used on narrow screens. */
	short?: string;
	bars: ShareBar[];
}

export interface ShareLayout {
	band: ScaleBand<string>;
	inner: ScaleBand<string>;
	x: ScaleLinear<number, number>;
	height: number;
}

/**
 * Bands for `rows` (each `barHeight` per series plus padding) and an x scale from 0 to the
 * largest value, at most `cap` (1 for shares; Infinity for rates).
 */
export function shareLayout(rows: readonly ShareRow[], seriesIds: readonly string[], width: number, left: number, right: number, barHeight = 14, cap = 1): ShareLayout {
	const bandH = seriesIds.length * barHeight + 14;
	const height = rows.length * bandH;
	const band = scaleBand<string>().domain(rows.map((r) => r.key)).range([0, height]).paddingInner(0.1);
	const inner = scaleBand<string>().domain(seriesIds).range([0, band.bandwidth()]).paddingInner(0.15);
	const hi = Math.max(0.05, ...rows.flatMap((r) => r.bars.map((b) => b.share ?? 0)));
	const x = scaleLinear().domain([0, Math.min(cap, hi)]).nice().range([left, Math.max(left + 1, width - right)]);
	return { band, inner, x, height };
}

/**
 * A category label as at most two lines that fit `maxChars` each where they can: split before a
 * parenthesis ("Servizi sociali" / "(Patto per l’inclusione)"), else at the last space that fits.
 */
export function labelLines(label: string, maxChars: number): string[] {
	if (label.length <= maxChars) return [label];
	const paren = label.indexOf(' (');
	if (paren > 0) return [label.slice(0, paren), label.slice(paren + 1)];
	const cut = label.lastIndexOf(' ', maxChars);
	return cut > 0 ? [label.slice(0, cut), label.slice(cut + 1)] : [label];
}
