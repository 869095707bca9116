/**
 * Confronto's own URL keys, beside the shared ones (`t`, `misura`, `indicatore`, `mese`):
 * `livello` (comune | ats | regione), `ordina` (key:dir), `cerca`, `sel` (ids), `scala`
 * (condivisa | propria), `classifica` (alto | basso).
 */
import { isTerritoryId, type TerritoryId, type TerritoryLevel } from '#contracts';
import { parseSort, type SortSpec } from '#lib/charts/table/table-utils.ts';
import { hrefWith, type UrlLike } from '#lib/state/view-state.ts';
import { MEASURE_CHOICES, comparableLevels, indicatorOf, measureOf, type Indicator, type MeasureChoice } from './indicators.ts';

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

/**
 * The month and measure choices one step away from `month` and `measure`: the month before and
 * the same month a year before (among the months `measure` is paid), and each other measure
 * choice in the month it would show (`effectiveMonth`) when that is another month (RdC after
 * 2023: its last month). What Confronto reads ahead once an answer is on screen; the choices
 * inside the same month come from the month's answers.
 */
export function nearbyChoices(months: readonly { month: string; measures: string[] }[], month: string, measure: MeasureChoice): { month: string; measure: MeasureChoice }[] {
	const valid = monthsFor(months, measure);
	const at = valid.indexOf(month);
	const out: { month: string; measure: MeasureChoice }[] = [];
	const add = (m: string | undefined, ms: MeasureChoice) => m && m !== month && !out.some((x) => x.month === m && x.measure === ms) && out.push({ month: m, measure: ms });
	if (at >= 0) {
		add(valid[at - 1], measure);
		add(valid.find((m) => m === `${Number(month.slice(0, 4)) - 1}${month.slice(4)}`), measure);
	}
	for (const ms of MEASURE_CHOICES) if (ms !== measure) add(effectiveMonth(month, monthsFor(months, ms)) ?? undefined, ms);
	return out;
}

/** What a link to another territory drops: the picks, search, level and sort belong to the view left. */
const LEFT_BEHIND = { sel: null, cerca: null, livello: null, ordina: null } as const;

/**
 * The links to territories from the URL `url` (the table's rows, the ranking's bars, the map,
 * the breadcrumb): `hrefWith(url, { t: id, ...LEFT_BEHIND }, pathOf(id))`, with the rest of the
 * query worked out once for all of them — only `t` differs, and a step rewrites some 35 links.
 */
export function territoryLinks(url: UrlLike, pathOf: (id: string) => string): (id: string) => string {
	const rest = hrefWith(url, { t: null, ...LEFT_BEHIND }, '').replace(/^\?/, '');
	const pairs = rest ? rest.split('&') : [];
	// `hrefWith` sorts the keys: `t` goes before the first key after it.
	const key = (pair: string) => decodeURIComponent((pair.includes('=') ? pair.slice(0, pair.indexOf('=')) : pair).replace(/\+/g, ' '));
	const at = pairs.findIndex((p) => key(p) > 't');
	const [before, after] = at < 0 ? [pairs, []] : [pairs.slice(0, at), pairs.slice(at)];
	return (id) => `${pathOf(id)}?${[...before, new URLSearchParams({ t: id }).toString(), ...after].join('&')}`;
}
