/**
 * Supporto per la Formazione e il Lavoro in Caratteristiche. SFL is an individual measure: the
 * extract counts its recipients as `persone` and the households with at least one recipient as
 * `nuclei`, and publishes none of the household characteristics for it. So the view shows SFL
 * on its own — recipients and households, as counts and per 1,000 residents — and never adds
 * it to the household measures.
 */
import { countCell, figuresAt, type SummaryTerritory } from '#lib/data/series.ts';
import type { ShareRow } from '#lib/charts/shares/index.ts';
import { NOT_AVAILABLE } from '#lib/format/index.ts';
import type { TableModel } from '#lib/export/table.ts';

/** One territory's SFL figures in a month; null values are suppressed ("< 3"), "n.d." a count hidden by secondary suppression (`countCell`). */
export interface SflRow {
	id: string;
	name: string;
	persone: number | string | null;
	nuclei: number | string | null;
	/** Recipients per 1,000 residents (published recipients over the registry's residents). */
	persone_per_1000: number | null;
	/** Households with a recipient per 1,000 residents: the extract's own rate. */
	nuclei_per_1000: number | null;
}

/** The SFL figures of each territory in `month`, or [] when SFL was not paid that month. */
export function sflRows(list: readonly SummaryTerritory[], month: string): SflRow[] {
	if (!list[0] || !figuresAt(list[0], month, 'SFL')) return [];
	return list.map((t) => {
		const f = figuresAt(t, month, 'SFL');
		return {
			id: t.id,
			name: t.name,
			persone: f ? countCell(f, f.persone) : null,
			nuclei: f ? countCell(f, f.nuclei) : null,
			persone_per_1000: f?.persone != null && t.residenti ? (f.persone * 1000) / t.residenti : null,
			nuclei_per_1000: f?.nuclei_per_1000 ?? null
		};
	});
}

/** The rates the chart draws, one band each. */
export const SFL_RATES = [
	{ key: 'persone_per_1000', label: 'Beneficiari (persone)', short: 'Beneficiari' },
	{ key: 'nuclei_per_1000', label: 'Nuclei con beneficiari', short: 'Nuclei' }
] as const;

/** The rates as grouped bars (one band per rate, one bar per territory) for SharesChart. */
export function sflBars(rows: readonly SflRow[]): ShareRow[] {
	return SFL_RATES.map((k) => ({ key: k.key, label: k.label, short: k.short, bars: rows.map((r) => ({ id: r.id, share: r[k.key], missing: NOT_AVAILABLE })) }));
}

/** The SFL table as on screen (and exported). */
export function sflTable(rows: readonly SflRow[], period: string): TableModel {
	return {
		caption: `Supporto per la Formazione e il Lavoro, ${period}`,
		columns: [
			{ key: 'territorio', label: 'Territorio', kind: 'text' },
			{ key: 'persone', label: 'Beneficiari (persone)', kind: 'count' },
			{ key: 'nuclei', label: 'Nuclei con almeno un beneficiario', kind: 'count' },
			{ key: 'persone_per_1000', label: 'Beneficiari ogni 1.000 residenti', kind: 'rate' },
			{ key: 'nuclei_per_1000', label: 'Nuclei ogni 1.000 residenti', kind: 'rate' }
		],
		rows: rows.map((r) => ({ territorio: r.name, persone: r.persone, nuclei: r.nuclei, persone_per_1000: r.persone_per_1000, nuclei_per_1000: r.nuclei_per_1000 }))
	};
}
