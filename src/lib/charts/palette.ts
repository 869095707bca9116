/**
 * Colour-blind-safe series colours (after Okabe & Ito, darkened where needed so each line has
 * at least 3:1 contrast on white, WCAG 2.1 1.4.11), each with its own dash pattern so no
 * series is told apart by colour alone.
 */
export interface SeriesStyle {
	color: string;
	dash: string;
}

/** The territory in view, its Regione, Italia. */
export const TERRITORY_STYLES: SeriesStyle[] = [
	{ color: '#0066CC', dash: '' },
	{ color: '#C14F00', dash: '6 3' },
	{ color: '#4D5B69', dash: '2 3' }
];

/** One style per measure, and the household total. */
export const MEASURE_STYLES: Record<string, SeriesStyle> = {
	totale: { color: '#1A1A1A', dash: '' },
	RdC: { color: '#0066CC', dash: '' },
	PdC: { color: '#007A5A', dash: '6 3' },
	ADI: { color: '#C14F00', dash: '' },
	SFL: { color: '#9E3C94', dash: '2 3' }
};
