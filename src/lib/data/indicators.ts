/** The indicators a view can show, their Italian labels and formats. */
import type { Measure } from '#contracts';
import type { ValueKind } from '#lib/format/index.ts';

export const INDICATORS = ['nuclei', 'persone', 'importo_medio', 'nuclei_per_1000'] as const;
export type Indicator = (typeof INDICATORS)[number];

export const INDICATOR_INFO: Record<Indicator, { label: string; short: string; kind: ValueKind; unit: string }> = {
	nuclei: { label: 'Nuclei beneficiari', short: 'Nuclei', kind: 'count', unit: 'nuclei' },
	persone: { label: 'Persone coinvolte', short: 'Persone', kind: 'count', unit: 'persone' },
	importo_medio: { label: 'Importo medio mensile', short: 'Importo medio', kind: 'euro', unit: '€ per nucleo' },
	nuclei_per_1000: { label: 'Nuclei ogni 1.000 residenti', short: 'Nuclei per 1.000 ab.', kind: 'rate', unit: 'per 1.000 residenti' }
};

/** A measure, or `totale`: the household measures of each month added (RdC+PdC, or ADI; never SFL). */
export type MeasureChoice = 'totale' | Measure;
export const MEASURE_CHOICES: readonly MeasureChoice[] = ['totale', 'RdC', 'PdC', 'ADI', 'SFL'];

export const MEASURE_LABELS: Record<MeasureChoice, string> = {
	totale: 'Misure per i nuclei (RdC + PdC, poi ADI)',
	RdC: 'Reddito di Cittadinanza',
	PdC: 'Pensione di Cittadinanza',
	ADI: 'Assegno di Inclusione',
	SFL: 'Supporto Formazione e Lavoro'
};

/** Narrow labels for legends and table headers. */
export const MEASURE_SHORT: Record<MeasureChoice, string> = {
	totale: 'Totale nuclei', RdC: 'RdC', PdC: 'PdC', ADI: 'ADI', SFL: 'SFL'
};

/**
 * What the `totale` figures are for each indicator (see `figuresAt`): households and persons
 * added, the mean amount weighted by each measure's households, the added households per 1,000
 * residents.
 */
const TOTAL_SHORT: Record<Indicator, string> = {
	nuclei: 'Totale nuclei',
	persone: 'Totale persone',
	importo_medio: 'Media di tutti i nuclei',
	nuclei_per_1000: 'Totale nuclei per 1.000 ab.'
};

/** The narrow label of `choice` for a series of `indicator`: the total names what it adds up. */
export function measureShort(choice: MeasureChoice, indicator: Indicator): string {
	return choice === 'totale' ? TOTAL_SHORT[indicator] : MEASURE_SHORT[choice];
}
