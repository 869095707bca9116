/** The household characteristics, grouped as the view shows them. */
import type { CategoryColumn } from '#contracts';

export interface CategoryGroup {
	id: string;
	title: string;
	categories: { key: CategoryColumn; label: string; short?: string }[];
}

export const GROUPS: CategoryGroup[] = [
	{
		id: 'composizione',
		title: 'Composizione dei nuclei',
		categories: [
			{ key: 'nuclei_minori', label: 'Con minori' },
			{ key: 'nuclei_disabili', label: 'Con persone con disabilità', short: 'Con disabili' },
			{ key: 'nuclei_over60', label: 'Con over 60 (ADI)', short: 'Over 60' },
			{ key: 'nuclei_over65', label: 'Con over 65 (RdC/PdC)', short: 'Over 65' },
			{ key: 'nuclei_monocomponente', label: 'Monocomponente' }
		]
	},
	{
		id: 'ampiezza',
		title: 'Numero di componenti',
		categories: [
			{ key: 'nuclei_1', label: '1 componente' },
			{ key: 'nuclei_2', label: '2 componenti' },
			{ key: 'nuclei_3', label: '3 componenti' },
			{ key: 'nuclei_4', label: '4 componenti' },
			{ key: 'nuclei_5piu', label: '5 o più componenti' }
		]
	},
	{
		id: 'cittadinanza',
		title: 'Cittadinanza del richiedente',
		categories: [
			{ key: 'nuclei_cittadinanza_it', label: 'Italiana' },
			{ key: 'nuclei_cittadinanza_ue', label: 'Unione europea' },
			{ key: 'nuclei_cittadinanza_extra_ue', label: 'Extra UE' }
		]
	},
	{
		id: 'percorso',
		title: 'Percorso di inclusione',
		categories: [
			{ key: 'nuclei_patto_inclusione', label: 'Servizi sociali (Patto per l’inclusione)', short: 'Servizi sociali' },
			{ key: 'nuclei_patto_lavoro', label: 'Centri per l’impiego (Patto per il lavoro)', short: 'Centri per l’impiego' },
			{ key: 'nuclei_esonerati', label: 'Esonerati' }
		]
	}
];
