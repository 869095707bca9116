/**
 * What Confronto can show: the indicators (extract columns), the measure choices and the
 * levels of comparison for each territory level. Keys are URL values and SQL identifiers,
 * so only the keys listed here ever reach a query.
 */
import { CATEGORY_COLUMNS, HOUSEHOLD_MEASURES, MEASURES, levelOf, type Measure, type TerritoryId, type TerritoryLevel } from '#contracts';

/** `count`: households or persons (rate per 1,000 residents); `mean`: € per household (no rate). */
export interface Indicator {
	key: string;
	label: string;
	kind: 'count' | 'mean';
	/** Applies to every row of every measure: a NULL is always a suppression. */
	core: boolean;
}

const CATEGORY_LABELS: Record<(typeof CATEGORY_COLUMNS)[number], string> = {
	nuclei_minori: 'Nuclei con minori',
	nuclei_disabili: 'Nuclei con disabili',
	nuclei_over60: 'Nuclei con over 60',
	nuclei_over65: 'Nuclei con over 65',
	nuclei_monocomponente: 'Nuclei monocomponente',
	nuclei_1: 'Nuclei di 1 persona',
	nuclei_2: 'Nuclei di 2 persone',
	nuclei_3: 'Nuclei di 3 persone',
	nuclei_4: 'Nuclei di 4 persone',
	nuclei_5piu: 'Nuclei di 5 o più persone',
	nuclei_cittadinanza_it: 'Nuclei con richiedente italiano',
	nuclei_cittadinanza_ue: 'Nuclei con richiedente UE',
	nuclei_cittadinanza_extra_ue: 'Nuclei con richiedente extra-UE',
	nuclei_patto_inclusione: 'Nuclei ai servizi sociali',
	nuclei_patto_lavoro: 'Nuclei ai centri per l’impiego',
	nuclei_esonerati: 'Nuclei esonerati'
};

export const INDICATORS: readonly Indicator[] = [
	{ key: 'nuclei', label: 'Nuclei', kind: 'count', core: true },
	{ key: 'persone', label: 'Persone', kind: 'count', core: true },
	{ key: 'importo_medio', label: 'Importo medio mensile', kind: 'mean', core: true },
	...CATEGORY_COLUMNS.map((key): Indicator => ({ key, label: CATEGORY_LABELS[key], kind: 'count', core: false }))
];

/** The indicator of a URL value, or `nuclei`. */
export function indicatorOf(key: string | null | undefined): Indicator {
	return INDICATORS.find((i) => i.key === key) ?? INDICATORS[0];
}

/** `totale` = the household measures of the month added up (RdC + PdC, or ADI); SFL never joins them. */
export type MeasureChoice = 'totale' | Measure;
export const MEASURE_CHOICES: readonly MeasureChoice[] = ['totale', ...MEASURES];

export const MEASURE_LABELS: Record<MeasureChoice, string> = {
	totale: 'Misure per i nuclei (totale)',
	RdC: 'Reddito di Cittadinanza',
	PdC: 'Pensione di Cittadinanza',
	ADI: 'Assegno di Inclusione',
	SFL: 'Supporto per la Formazione e il Lavoro'
};

/** The measure choice of a URL value, or `totale`. */
export function measureOf(value: string | null | undefined): MeasureChoice {
	return (MEASURE_CHOICES as readonly string[]).includes(value ?? '') ? (value as MeasureChoice) : 'totale';
}

/** The extract measures a choice adds up. */
export function measuresOf(choice: MeasureChoice): readonly Measure[] {
	return choice === 'totale' ? HOUSEHOLD_MEASURES : [choice];
}

/** The levels whose territories can be compared inside a territory, first = default. */
export function comparableLevels(t: TerritoryId): TerritoryLevel[] {
	switch (levelOf(t)) {
		case 'italia':
			return ['regione'];
		case 'regione':
			return ['comune', 'ats'];
		case 'ats':
			return ['comune'];
		default:
			return [];
	}
}

export const LEVEL_LABELS: Record<TerritoryLevel, { one: string; many: string }> = {
	italia: { one: 'Italia', many: 'Italia' },
	regione: { one: 'Regione', many: 'Regioni' },
	provincia: { one: 'Provincia', many: 'Province' },
	ats: { one: 'Ambito (ATS)', many: 'Ambiti (ATS)' },
	comune: { one: 'Comune', many: 'Comuni' }
};
