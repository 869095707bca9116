/**
 * Andamento's figures of a territory per month for each measure choice, kept per series object
 * (TerritoryData keeps those per territory, so the view opened again computes nothing), made ahead
 * in idle time as DuckDB's series of a territory are kept (`prepareFigures`, from the view's
 * module): the first visit of Andamento then only draws (the figures were ~10–20 ms of its mount
 * for a Regione and Italia).
 */
import type { SummaryPoint, SummaryTerritory } from '#contracts';
import { MEASURE_CHOICES, type Indicator, type MeasureChoice } from '#lib/data/indicators.ts';
import { figuresAt, type Figures } from '#lib/data/series.ts';

const kept = new WeakMap<SummaryTerritory, Map<MeasureChoice, { month: string; f: Figures }[]>>();

/**
 * The territory split by month: `figuresAt` reads only the month's points, and filtering the
 * whole series for each of 92 months × 5 measures was ~20 ms of this view's first draw.
 */
function byMonth(x: SummaryTerritory): Map<string, SummaryTerritory> {
	const out = new Map<string, SummaryTerritory>();
	for (const p of x.series) {
		let t = out.get(p.month);
		if (!t) out.set(p.month, (t = { ...x, series: [] }));
		(t.series as SummaryPoint[]).push(p);
	}
	return out;
}

function computeFigures(x: SummaryTerritory, choice: MeasureChoice): { month: string; f: Figures }[] {
	return [...byMonth(x)]
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
		.flatMap(([m, t]) => {
			const f = figuresAt(t, m, choice);
			return f ? [{ month: m, f }] : [];
		});
}

/** Figures of `x` in each of its months for `choice` (months in order, without the unpaid ones); kept per series object. */
export function figuresOf(x: SummaryTerritory, choice: MeasureChoice): { month: string; f: Figures }[] {
	let byChoice = kept.get(x);
	if (!byChoice) kept.set(x, (byChoice = new Map()));
	let out = byChoice.get(choice);
	if (!out) byChoice.set(choice, (out = computeFigures(x, choice)));
	return out;
}

/**
 * Every figure the view may draw of `list` (the territory, then its benchmarks), one territory and
 * choice per step, for `idleSteps`: the territory's own choices first (its first chart).
 */
export function* prepareFigures(list: readonly SummaryTerritory[]): Generator<void> {
	for (const x of list)
		for (const choice of MEASURE_CHOICES) {
			yield;
			figuresOf(x, choice);
		}
}

/**
 * Whether the view's data tables hold a suppressed cell ("< 3" or "n.d.": the confidentiality note
 * shows then), read from the figures instead of the tables (built only when one is opened):
 * `indicator` of the territory (`list[0]`) in any measure choice it was paid, or the rate per
 * 1,000 residents for `misura` of any territory of `list` in a month of the territory.
 */
export function anySuppressed(list: readonly SummaryTerritory[], indicator: Indicator, misura: MeasureChoice): boolean {
	const [territory] = list;
	if (!territory) return false;
	if (MEASURE_CHOICES.some((c) => figuresOf(territory, c).some(({ f }) => f[indicator] === null))) return true;
	const months = new Set(territory.series.map((p) => p.month));
	return list.some((x) => figuresOf(x, misura).some(({ month, f }) => f.nuclei_per_1000 === null && months.has(month)));
}
