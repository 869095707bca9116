/**
 * Italian formats for every number and date on screen. A suppressed value (NULL in the
 * extract) reads "< 3" for a count and "n.d." for a mean, a total or a rate — never 0, never
 * recomputed from other figures.
 */

// `useGrouping: 'always'`: CLDR's Italian leaves 4-digit numbers ungrouped (7684); tables read better as 7.684.
const int = new Intl.NumberFormat('it-IT', { maximumFractionDigits: 0, useGrouping: 'always' });
const dec1 = new Intl.NumberFormat('it-IT', { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: 'always' });
const dec2 = new Intl.NumberFormat('it-IT', { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: 'always' });
const euro = new Intl.NumberFormat('it-IT', { style: 'currency', currency: 'EUR', minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: 'always' });
const euro0 = new Intl.NumberFormat('it-IT', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0, useGrouping: 'always' });
const pct = new Intl.NumberFormat('it-IT', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
const signedPct = new Intl.NumberFormat('it-IT', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: 'exceptZero' });

/** What a suppressed count shows. */
export const SUPPRESSED_COUNT = '< 3';
/** What a suppressed mean, total, rate or share shows. */
export const NOT_AVAILABLE = 'n.d.';
/** The note on statistical confidentiality shown wherever a suppressed value can appear. */
export const CONFIDENTIALITY_NOTE =
	'«< 3»: dato non pubblicato perché riferito a meno di 3 nuclei (segreto statistico, regola SISTAN); «n.d.»: dato non disponibile, o non pubblicato per lo stesso segreto (una media su meno di 3 nuclei, una somma con una parte non pubblicata, un dato nascosto perché non se ne ricavi per differenza un altro inferiore a 3).';

/** How a value is shown: each kind has its own format and its own suppressed text. */
export type ValueKind = 'count' | 'euro' | 'euro0' | 'rate' | 'share' | 'change';

/** `1234567` → "1.234.567"; null → "< 3". */
export function formatCount(v: number | null | undefined): string {
	return v == null ? SUPPRESSED_COUNT : int.format(v);
}

/** `563.2` → "563,20 €"; null → "n.d.". */
export function formatEuro(v: number | null | undefined): string {
	return v == null ? NOT_AVAILABLE : euro.format(v);
}

/** A rate per 1.000 residents: `12.345` → "12,35"; null → "n.d.". */
export function formatRate(v: number | null | undefined): string {
	return v == null ? NOT_AVAILABLE : dec2.format(v);
}

/** A share in [0, 1]: `0.256` → "25,6%"; null → "n.d.". */
export function formatShare(v: number | null | undefined): string {
	return v == null ? NOT_AVAILABLE : pct.format(v);
}

/** A relative change: `0.031` → "+3,1%"; null → "n.d.". */
export function formatChange(v: number | null | undefined): string {
	return v == null || !Number.isFinite(v) ? NOT_AVAILABLE : signedPct.format(v).replace('-', '−');
}

/** Formats `v` as `kind`. */
export function formatValue(v: number | null | undefined, kind: ValueKind): string {
	switch (kind) {
		case 'count': return formatCount(v);
		case 'euro': return formatEuro(v);
		case 'euro0': return v == null ? NOT_AVAILABLE : euro0.format(v);
		case 'rate': return formatRate(v);
		case 'share': return formatShare(v);
		case 'change': return formatChange(v);
	}
}

/** A number with one decimal, for axis ticks of small values. */
export function formatDecimal(v: number): string {
	return dec1.format(v);
}

/** A compact axis tick: 1.200.000 → "1,2 Mln", 12.000 → "12.000". */
export function formatTick(v: number): string {
	if (Math.abs(v) >= 1e6) return `${dec1.format(v / 1e6)} Mln`;
	return Number.isInteger(v) ? int.format(v) : dec1.format(v);
}

const MONTHS = ['gennaio', 'febbraio', 'marzo', 'aprile', 'maggio', 'giugno', 'luglio', 'agosto', 'settembre', 'ottobre', 'novembre', 'dicembre'];

/** `2023-11` → "novembre 2023". */
export function formatMonth(month: string): string {
	const [y, m] = month.split('-').map(Number);
	return `${MONTHS[m - 1]} ${y}`;
}

/** `2023-11` → "nov 2023" (axes, narrow tables). */
export function formatMonthShort(month: string): string {
	const [y, m] = month.split('-').map(Number);
	return `${MONTHS[m - 1].slice(0, 3)} ${y}`;
}

/** An ISO timestamp → "10 marzo 2024". */
export function formatDate(iso: string): string {
	return new Intl.DateTimeFormat('it-IT', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Rome' }).format(new Date(iso));
}

/** Bytes for the progress indicator: 1536 → "1,5 kB". */
export function formatBytes(n: number): string {
	if (n < 1000) return `${int.format(n)} B`;
	if (n < 1e6) return `${dec1.format(n / 1e3)} kB`;
	return `${dec1.format(n / 1e6)} MB`;
}

/**
 * Lower case, accents dropped, every run of other characters turned into `sep` and trimmed:
 * `fold("Sant'Agata de' Goti")` → "sant agata de goti", `fold('Abano Terme', '-')` → "abano-terme".
 */
export function fold(s: string, sep = ' '): string {
	const out = s
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, sep);
	const start = out.startsWith(sep) ? sep.length : 0;
	const end = out.endsWith(sep) && out.length > start ? out.length - sep.length : out.length;
	return out.slice(start, end);
}
