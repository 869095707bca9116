/**
 * The monthly figures of a territory and the sums the views show. The first view reads them
 * from the pipeline's summary JSON, later views from DuckDB: both hand the same per-measure
 * points to these functions, so no number changes when the engine takes over.
 */
import {
	HOUSEHOLD_MEASURES,
	SUMMARY_SCHEMA_VERSION,
	type FirstViewSummary,
	type Measure,
	type SummaryFile,
	type SummaryFileTerritory,
	type SummaryPoint,
	type SummaryTerritory
} from '#contracts';
import type { MeasureChoice } from './indicators.ts';
import { NOT_AVAILABLE } from '#lib/format/index.ts';

export type { SummaryPoint, SummaryTerritory };

/** A summary file's territory as points (sorted by measure, then month, like the runs). */
export function fromRuns(t: SummaryFileTerritory): SummaryTerritory {
	const series: SummaryPoint[] = [];
	for (const r of t.runs) {
		const secondary = new Set(r.secondari);
		r.nuclei.forEach((nuclei, k) => {
			const p: SummaryPoint = { month: addMonths(r.from, k), measure: r.measure, nuclei, persone: r.persone[k] ?? null, importo_medio: r.importo_medio[k] ?? null, nuclei_per_1000: r.nuclei_per_1000[k] ?? null };
			if (secondary.has(k)) p.secondario = true;
			series.push(p);
		});
	}
	return { id: t.id, name: t.name, level: t.level, residenti: t.residenti, series };
}

/**
 * The first view of a scope from its summary file and `summary/italia.json` (its benchmarks),
 * or null when they cannot be put together (another format, two versions, a benchmark
 * missing): the views then wait for DuckDB rather than show mixed numbers.
 */
export function assembleSummary(own: SummaryFile, italia: SummaryFile): FirstViewSummary | null {
	if (own.schema_version !== SUMMARY_SCHEMA_VERSION || italia.schema_version !== SUMMARY_SCHEMA_VERSION || own.version !== italia.version) return null;
	const pool = new Map([italia.territory, ...(italia.regioni ?? [])].map((t) => [t.id, t]));
	const benchmarks = own.benchmarks.map((id) => pool.get(id));
	if (benchmarks.some((b) => !b)) return null;
	const out: FirstViewSummary = { version: own.version, scope: own.scope, territory: fromRuns(own.territory), benchmarks: benchmarks.map((b) => fromRuns(b!)) };
	if (own.ats) out.ats = own.ats;
	return out;
}

/** The figures of one territory, month and measure choice; null = suppressed (or any part of a sum is). */
export interface Figures {
	nuclei: number | null;
	persone: number | null;
	importo_medio: number | null;
	nuclei_per_1000: number | null;
	/** The measures added up (RdC + PdC: 2). A null count of a sum is "not published", never "< 3" (one part alone may be 57). */
	parts: number;
	/** One measure whose null counts are hidden by secondary suppression: "n.d." too (the count may be 40). */
	secondario?: true;
}

/** The measures that `choice` adds up in `month` (`totale`: the household measures paid that month). */
export function measuresIn(choice: MeasureChoice, points: readonly SummaryPoint[], month: string): Measure[] {
	if (choice !== 'totale') return [choice];
	return HOUSEHOLD_MEASURES.filter((m) => points.some((p) => p.month === month && p.measure === m));
}

const sumOrNull = (vs: (number | null)[]) => (vs.some((v) => v === null) ? null : vs.reduce<number>((a, v) => a + (v as number), 0));

/**
 * The figures of `choice` in `month`, or null when no measure of the choice was paid then.
 * A sum with a suppressed part is suppressed: a partial sum would be a wrong number.
 */
export function figuresAt(t: SummaryTerritory, month: string, choice: MeasureChoice): Figures | null {
	const wanted = measuresIn(choice, t.series, month);
	const pts = t.series.filter((p) => p.month === month && wanted.includes(p.measure));
	if (pts.length === 0) return null;
	if (pts.length === 1) {
		const [p] = pts;
		const f: Figures = { nuclei: p.nuclei, persone: p.persone, importo_medio: p.importo_medio, nuclei_per_1000: p.nuclei_per_1000, parts: 1 };
		if (p.secondario) f.secondario = true;
		return f;
	}
	const nuclei = sumOrNull(pts.map((p) => p.nuclei));
	const persone = sumOrNull(pts.map((p) => p.persone));
	// Mean over all the households of the measures: weighted by each measure's households.
	const weighted = sumOrNull(pts.map((p) => (p.importo_medio === null || p.nuclei === null ? null : p.importo_medio * p.nuclei)));
	const importo_medio = weighted === null || !nuclei ? null : weighted / nuclei;
	const nuclei_per_1000 = nuclei === null || !t.residenti ? null : (nuclei * 1000) / t.residenti;
	return { nuclei, persone, importo_medio, nuclei_per_1000, parts: pts.length };
}

/**
 * A count of `f` as a table cell: the number, null when suppressed as under 3 households
 * ("< 3": one measure, primary suppression), or "n.d." when a sum has a suppressed part or the
 * count is hidden by secondary suppression.
 */
export function countCell(f: Figures, v: number | null): number | string | null {
	return v === null && (f.parts > 1 || f.secondario) ? NOT_AVAILABLE : v;
}

/** Every month of the series, sorted. */
export function monthsOf(t: SummaryTerritory): string[] {
	return [...new Set(t.series.map((p) => p.month))].sort();
}

/** The last month with a household measure (the KPI month). */
export function lastMonth(t: SummaryTerritory): string | null {
	const ms = t.series.filter((p) => HOUSEHOLD_MEASURES.includes(p.measure)).map((p) => p.month).sort();
	return ms.at(-1) ?? null;
}

/** `2024-01` shifted by `n` months. */
export function addMonths(month: string, n: number): string {
	const [y, m] = month.split('-').map(Number);
	const d = y * 12 + (m - 1) + n;
	return `${Math.floor(d / 12)}-${String((d % 12) + 1).padStart(2, '0')}`;
}

/** Relative change from `before` to `now`, or null when either is missing or suppressed. */
export function change(now: number | null | undefined, before: number | null | undefined): number | null {
	if (now == null || before == null || before === 0) return null;
	return now / before - 1;
}
