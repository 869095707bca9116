/**
 * The columns of every extract file (one row per territory × month × measure). Names and
 * types are part of the public contract: planners open these files in any Parquet tool.
 * docs/extracts.md documents each column; keep the two in step.
 */

export const MEASURES = ['RdC', 'PdC', 'ADI', 'SFL'] as const;
export type Measure = (typeof MEASURES)[number];

/** Household measures: their counts may be added together. SFL never is (an individual measure). */
export const HOUSEHOLD_MEASURES: readonly Measure[] = ['RdC', 'PdC', 'ADI'];

/** First and last month of each measure (last = open-ended when null). */
export const MEASURE_PERIODS: Record<Measure, { from: string; to: string | null }> = {
	RdC: { from: '2019-04', to: '2023-12' },
	PdC: { from: '2019-04', to: '2023-12' },
	ADI: { from: '2024-01', to: null },
	SFL: { from: '2023-09', to: null }
};

/** Disclosure control: no published figure on fewer than this many households. */
export const SUPPRESSION_THRESHOLD = 3;

export interface ColumnSpec {
	name: string;
	/** DuckDB type as written to Parquet. */
	type: 'VARCHAR' | 'DATE' | 'INTEGER' | 'DOUBLE' | 'VARCHAR[]';
	/** Counted in households and subject to primary suppression below the threshold. */
	count?: boolean;
	/** Computed on the households of the row (suppressed when they are fewer than the threshold). */
	derived?: boolean;
	description: string;
}

/** Household counts by characteristic (each is a count of nuclei, suppressible). */
export const CATEGORY_COLUMNS = [
	'nuclei_minori',
	'nuclei_disabili',
	'nuclei_over60',
	'nuclei_over65',
	'nuclei_monocomponente',
	'nuclei_1',
	'nuclei_2',
	'nuclei_3',
	'nuclei_4',
	'nuclei_5piu',
	'nuclei_cittadinanza_it',
	'nuclei_cittadinanza_ue',
	'nuclei_cittadinanza_extra_ue',
	'nuclei_patto_inclusione',
	'nuclei_patto_lavoro',
	'nuclei_esonerati'
] as const;
export type CategoryColumn = (typeof CATEGORY_COLUMNS)[number];

/** Groups of categories that partition `nuclei` (each group adds up to the total). */
export const CATEGORY_PARTITIONS: readonly (readonly CategoryColumn[])[] = [
	['nuclei_1', 'nuclei_2', 'nuclei_3', 'nuclei_4', 'nuclei_5piu'],
	['nuclei_cittadinanza_it', 'nuclei_cittadinanza_ue', 'nuclei_cittadinanza_extra_ue'],
	['nuclei_patto_inclusione', 'nuclei_patto_lavoro', 'nuclei_esonerati']
];

export const EXTRACT_COLUMNS: readonly ColumnSpec[] = [
	{ name: 'territory_id', type: 'VARCHAR', description: 'Territory id (it, r:RR, p:PPP, a:CODE, c:ISTAT)' },
	{ name: 'level', type: 'VARCHAR', description: 'italia | regione | provincia | ats | comune' },
	{ name: 'name', type: 'VARCHAR', description: 'Territory name in Italian' },
	{ name: 'parent_id', type: 'VARCHAR', description: 'The containing territory: Regione of a Provincia or ATS, ATS of a Comune, it of a Regione; NULL for it' },
	{ name: 'month', type: 'DATE', description: 'First day of the month of payment' },
	{ name: 'measure', type: 'VARCHAR', description: 'RdC, PdC, ADI or SFL' },
	{ name: 'residenti', type: 'INTEGER', description: 'Resident population (territory registry)' },
	{ name: 'nuclei', type: 'INTEGER', count: true, description: 'Households paid in the month (SFL: households with at least one recipient); NULL when suppressed' },
	{ name: 'persone', type: 'INTEGER', count: true, description: 'Persons in the households paid (SFL: recipients); NULL when suppressed' },
	{ name: 'importo_medio', type: 'DOUBLE', derived: true, description: 'Mean monthly amount per household (€); NULL when suppressed' },
	{ name: 'importo_totale', type: 'DOUBLE', derived: true, description: 'Total amount paid in the month (€); NULL when suppressed' },
	{ name: 'nuclei_per_1000', type: 'DOUBLE', derived: true, description: 'Households per 1,000 residents; NULL when nuclei is suppressed' },
	...CATEGORY_COLUMNS.map(
		(name): ColumnSpec => ({ name, type: 'INTEGER', count: true, description: `Households: ${name.slice(7).replaceAll('_', ' ')}; NULL when suppressed or not applicable to the measure` })
	),
	{ name: 'soppressi_primari', type: 'VARCHAR[]', description: 'Columns of this row suppressed because they describe fewer than 3 households' },
	{ name: 'soppressi_secondari', type: 'VARCHAR[]', description: 'Columns of this row suppressed so that a primary suppression cannot be recovered by subtraction' }
];

/** Names of the count columns (primary suppression applies under the threshold). */
export const COUNT_COLUMNS: readonly string[] = EXTRACT_COLUMNS.filter((c) => c.count).map((c) => c.name);
