/**
 * Confronto's own URL keys, beside the shared ones (`t`, `misura`, `indicatore`, `mese`):
 * `livello` (comune | ats | regione), `ordina` (key:dir), `cerca`, `sel` (ids), `scala`
 * (condivisa | propria), `classifica` (alto | basso).
 */
import { isTerritoryId, type TerritoryId, type TerritoryLevel } from '#contracts';
import { parseSort, type SortSpec } from '#lib/charts/table/table-utils.ts';
import { comparableLevels, indicatorOf, measureOf, type Indicator, type MeasureChoice } from './indicators.ts';

export const SORT_KEYS = ['nome', 'residenti', 'valore', 'tasso'] as const;
export const MAX_SELECTED = 6;

export interface ConfrontoState {
	t: TerritoryId | null;
	level: TerritoryLevel | null;
	indicator: Indicator;
	measure: MeasureChoice;
	month: string | null;
	sort: SortSpec;
	search: string;
	selected: TerritoryId[];
	sharedScale: boolean;
	side: 'top' | 'bottom';
}

/** Reads the view state; `fallbackT` is the user's own territory. Anything malformed falls back. */
export function readConfronto(url: { readonly searchParams: { get(key: string): string | null } }, fallbackT: TerritoryId | null): ConfrontoState {
	const p = url.searchParams;
	const tParam = p.get('t');
	const t = tParam && isTerritoryId(tParam) ? tParam : fallbackT;
	const levels = t ? comparableLevels(t) : [];
	const levelParam = p.get('livello') as TerritoryLevel | null;
	const indicator = indicatorOf(p.get('indicatore'));
	const month = p.get('mese');
	return {
		t,
		level: levelParam && levels.includes(levelParam) ? levelParam : (levels[0] ?? null),
		indicator,
		measure: measureOf(p.get('misura')),
		month: month && /^\d{4}-(0[1-9]|1[0-2])$/.test(month) ? month : null,
		sort: parseSort(p.get('ordina'), SORT_KEYS, { key: indicator.kind === 'count' ? 'tasso' : 'valore', dir: 'desc' }),
		search: p.get('cerca') ?? '',
		selected: (p.get('sel') ?? '').split(',').filter(isTerritoryId).slice(0, MAX_SELECTED),
		sharedScale: p.get('scala') !== 'propria',
		side: p.get('classifica') === 'basso' ? 'bottom' : 'top'
	};
}

/** The months where the choice is paid (`totale`: any household measure), from the months query rows. */
export function monthsFor(months: readonly { month: string; measures: string[] }[], measure: MeasureChoice): string[] {
	const wanted = measure === 'totale' ? ['RdC', 'PdC', 'ADI'] : [measure];
	return months.filter((m) => m.measures.some((x) => wanted.includes(x))).map((m) => m.month);
}

/** The month to show: the asked one when the measure is paid then, else the last such month. */
export function effectiveMonth(asked: string | null, valid: readonly string[]): string | null {
	if (asked && valid.includes(asked)) return asked;
	return valid.at(-1) ?? null;
}
