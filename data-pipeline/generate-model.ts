/**
 * Parameters of the synthetic microdata, from INPS's published figures (DESIGN.md): take-up
 * per Regione (RdC+PdC households per 1,000 residents, Dec 2021), persons per household and
 * mean monthly amount (€), and the national trend of each measure over time.
 */
import { monthIndex } from './months.ts';

/** Regione → [households per 1,000 residents at the peak, persons per household, mean amount €]. */
export const REGION_PARAMS: Record<string, [number, number, number]> = {
	'01': [14.74, 2.07, 547.09],
	'02': [6.53, 1.96, 453.75],
	'03': [9.51, 2.18, 505.98],
	'04': [3.76, 2.43, 408.42],
	'05': [5.78, 2.09, 485.27],
	'06': [7.86, 1.84, 460.6],
	'07': [14.55, 1.99, 529.29],
	'08': [8.27, 2.1, 478.76],
	'09': [10.17, 2.12, 501.83],
	'10': [12.42, 2.15, 534.21],
	'11': [9.33, 2.18, 496.45],
	'12': [23.26, 2.08, 549.2],
	'13': [18.06, 2.11, 543.9],
	'14': [20.68, 2.14, 546.06],
	'15': [46.4, 2.68, 645.98],
	'16': [28.21, 2.41, 578.73],
	'17': [17.7, 2.07, 520.47],
	'18': [41.63, 2.34, 564.27],
	'19': [46.45, 2.48, 623.46],
	'20': [29.24, 2.02, 538.73]
};
/** Used for Regioni a custom registry invents (tests). */
export const DEFAULT_REGION_PARAMS: [number, number, number] = [20, 2.2, 550];

type Knots = [string, number][];

// Households paid, relative to the Dec 2021 peak of RdC+PdC (~1.23M): INPS monthly series.
const RDC_PDC: Knots = [['2019-04', 0.42], ['2019-12', 0.8], ['2020-12', 0.97], ['2021-12', 1], ['2022-12', 0.92], ['2023-07', 0.85], ['2023-08', 0.72], ['2023-12', 0.67]];
const ADI: Knots = [['2024-01', 0.4], ['2024-05', 0.51], ['2026-12', 0.56]];
const SFL: Knots = [['2023-09', 0.015], ['2023-12', 0.06], ['2024-06', 0.08], ['2026-12', 0.05]];

function interpolate(knots: Knots, month: string): number {
	const m = monthIndex(month);
	if (m < monthIndex(knots[0]![0])) return 0;
	for (let k = 1; k < knots.length; k++) {
		const [m1, v1] = knots[k]!;
		const [m0, v0] = knots[k - 1]!;
		if (m <= monthIndex(m1)) return v0 + ((v1 - v0) * (m - monthIndex(m0))) / Math.max(1, monthIndex(m1) - monthIndex(m0));
	}
	return knots.at(-1)![1];
}

/** The relative volume of each group of measures in `month` (0 outside the measure's period). */
export function monthFactors(month: string): { rp: number; adi: number; sfl: number } {
	return {
		rp: month <= '2023-12' ? interpolate(RDC_PDC, month) : 0,
		adi: interpolate(ADI, month),
		sfl: interpolate(SFL, month)
	};
}

/** Share of PdC among RdC+PdC households. */
export const PDC_SHARE = 0.11;
