/**
 * The view state lives in the query string, so a link reopens the same view and the back
 * button works. Keys (Italian, short): `t` territory in view, `misura`, `indicatore`, `mese`
 * (YYYY-MM), `confronto` (benchmarks on/off). Other views add their own keys through
 * `readParam`/`hrefWith` (e.g. Confronto: `ordina`, `cerca`, `sel`).
 */
import { isTerritoryId, type TerritoryId } from '#contracts';
import { INDICATORS, MEASURE_CHOICES, type Indicator, type MeasureChoice } from '#lib/data/indicators.ts';

export interface ViewState {
	/** The territory in view; null = the user's own. */
	t: TerritoryId | null;
	misura: MeasureChoice;
	indicatore: Indicator;
	/** `YYYY-MM`; null = the last published month. */
	mese: string | null;
}

/** Any URL, including SvelteKit's read-only `page.url`. */
export type UrlLike = { readonly pathname: string; readonly searchParams: { get(key: string): string | null; toString(): string } };

export const DEFAULTS: ViewState = { t: null, misura: 'totale', indicatore: 'nuclei', mese: null };

/** A string param if it passes `valid`, else the fallback. */
export function readParam<T extends string>(url: UrlLike, key: string, valid: (v: string) => v is T, fallback: T): T;
export function readParam<T extends string>(url: UrlLike, key: string, valid: (v: string) => v is T, fallback: null): T | null;
export function readParam<T extends string>(url: UrlLike, key: string, valid: (v: string) => v is T, fallback: T | null): T | null {
	const v = url.searchParams.get(key);
	return v !== null && valid(v) ? v : fallback;
}

const oneOf = <T extends string>(list: readonly T[]) => (v: string): v is T => (list as readonly string[]).includes(v);
const isMonth = (v: string): v is string => /^\d{4}-(0[1-9]|1[0-2])$/.test(v);

/** Parses the shared view state, ignoring anything malformed. */
export function readViewState(url: UrlLike): ViewState {
	return {
		t: readParam(url, 't', isTerritoryId, null),
		misura: readParam(url, 'misura', oneOf(MEASURE_CHOICES), DEFAULTS.misura),
		indicatore: readParam(url, 'indicatore', oneOf(INDICATORS), DEFAULTS.indicatore),
		mese: readParam(url, 'mese', isMonth, null)
	};
}

/** A list param (`sel=c:028001,c:028002`), keeping only well-formed territory ids. */
export function readIdList(url: UrlLike, key: string): TerritoryId[] {
	return (url.searchParams.get(key) ?? '').split(',').filter(isTerritoryId);
}

export type ParamPatch = Record<string, string | readonly string[] | null | undefined>;

/** `path?query` of `url` with `patch` applied: null/undefined, empty lists and defaults drop the key. */
export function hrefWith(url: UrlLike, patch: ParamPatch, pathname = url.pathname): string {
	const params = new URLSearchParams(url.searchParams.toString());
	for (const [key, value] of Object.entries(patch)) {
		const v = Array.isArray(value) ? value.join(',') : (value as string | null | undefined);
		const isDefault = key in DEFAULTS && DEFAULTS[key as keyof ViewState] === v;
		if (v == null || v === '' || isDefault) params.delete(key);
		else params.set(key, v);
	}
	params.sort();
	const q = params.toString();
	return q ? `${pathname}?${q}` : pathname;
}

/** The query string to carry when moving to another view (territory and period follow the user). */
export function carriedQuery(url: UrlLike): string {
	const keep = new URLSearchParams();
	for (const key of ['t', 'misura', 'indicatore', 'mese']) {
		const v = url.searchParams.get(key);
		if (v !== null) keep.set(key, v);
	}
	const q = keep.toString();
	return q ? `?${q}` : '';
}
