/**
 * The household microdata schema (docs/microdata.md): one row per household, month and
 * measure paid, as the measure's information system exports it. Parquet or CSV (UTF-8,
 * comma, header row). The single place the pipeline's readers, validator and generator
 * take the columns from.
 */

export interface MicrodataColumn {
	name: string;
	/** The type the generator writes and the validator casts CSV text to. */
	type: 'DATE' | 'VARCHAR' | 'BIGINT' | 'INTEGER' | 'DOUBLE';
	/** NULL allowed (only where the measure makes the field not applicable). */
	nullable?: boolean;
	description: string;
}

export const MICRODATA_COLUMNS: readonly MicrodataColumn[] = [
	{ name: 'month', type: 'DATE', description: 'Month of payment: first day of the month (CSV: YYYY-MM or YYYY-MM-01)' },
	{ name: 'measure', type: 'VARCHAR', description: 'RdC, PdC, ADI or SFL' },
	{ name: 'comune', type: 'VARCHAR', description: 'ISTAT code (6 digits) of the Comune of residence' },
	{ name: 'household_id', type: 'BIGINT', description: 'Household identifier (pseudonymous), unique per month and measure' },
	{ name: 'members', type: 'INTEGER', description: 'Household members (≥ 1)' },
	{ name: 'minors', type: 'INTEGER', description: 'Members under 18' },
	{ name: 'disabled', type: 'INTEGER', description: 'Members with a disability' },
	{ name: 'over60', type: 'INTEGER', description: 'Members aged 60 or more' },
	{ name: 'over65', type: 'INTEGER', description: 'Members aged 65 or more (≤ over60)' },
	{ name: 'citizenship', type: 'VARCHAR', description: 'Citizenship of the applicant: IT, UE or EXTRA_UE' },
	{ name: 'amount', type: 'DOUBLE', description: 'Amount paid to the household in the month (€, ≥ 0, cents)' },
	{ name: 'referral', type: 'VARCHAR', nullable: true, description: 'inclusione (Patto per l’inclusione sociale), lavoro (Patto per il lavoro), esonerato; NULL for SFL' },
	{ name: 'recipients', type: 'INTEGER', nullable: true, description: 'SFL only: members receiving SFL (1 … members); NULL for household measures' }
];

export const CITIZENSHIPS = ['IT', 'UE', 'EXTRA_UE'] as const;
export const REFERRALS = ['inclusione', 'lavoro', 'esonerato'] as const;
