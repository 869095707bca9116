/**
 * The territories a user may put in view, from the manifest the gateway sent (the same scope
 * rule as the gateway, so the app never offers a territory whose extract would be refused),
 * the breadcrumb of the territory in view, and the type-ahead search of the picker.
 */
import { isTerritoryId, levelOf, type ManifestFile, type TerritoryId, type TerritoryLevel } from '#contracts';
import { fold } from '#lib/format/index.ts';
import type { Crumb } from './breadcrumb-utils.ts';

/** Territory id → the territories containing it, outermost first (the manifest's `within`). */
export type Places = ReadonlyMap<TerritoryId, readonly TerritoryId[]>;

/**
 * Every territory with its own extract that `user` may open. `italia.parquet` reaches every
 * token (it holds the benchmarks), but Italia is a view only for national users.
 */
export function viewable(files: readonly ManifestFile[], user: readonly TerritoryId[]): Map<TerritoryId, TerritoryId[]> {
	const out = new Map<TerritoryId, TerritoryId[]>();
	// `reaches(user, f)` with the user's ids validated once, not once per file: a Regione's manifest
	// has 3,200 files, and this ran on the first view's path (~10 ms).
	const valid = user.filter((t) => isTerritoryId(t));
	const national = valid.includes('it');
	for (const f of files) {
		if (f.kind !== 'extract') continue;
		const ok = f.scope === 'it' ? user.includes('it') : national || valid.some((t) => t === f.scope || f.within.includes(t));
		if (ok) out.set(f.scope, f.within.filter((w) => w !== 'it'));
	}
	return out;
}

/**
 * Italia › Regione › ATS › Comune down to `t`; a crumb is a link only when the user may open it.
 * `name` gives each territory's name (or a label while it is unknown).
 */
export function trail(t: TerritoryId, places: Places, name: (id: TerritoryId) => string): Crumb[] {
	const chain = ['it', ...(places.get(t) ?? []), t].filter((id, i, all) => all.indexOf(id) === i);
	return chain.map((id) => ({ id, name: name(id), level: levelOf(id) ?? 'comune', current: id === t, link: id !== t && places.has(id) }));
}

/** One entry of the picker. */
export interface PickerOption {
	id: TerritoryId;
	name: string;
	level: TerritoryLevel;
	/** Where it lies (the ATS of a Comune, the Regione of an ATS), to tell namesakes apart. */
	context: string;
}

const LEVEL_ORDER: Record<TerritoryLevel, number> = { italia: 0, regione: 1, provincia: 2, ats: 3, comune: 4 };
const collator = new Intl.Collator('it-IT', { sensitivity: 'base' });

/** Italia first, then Regioni, ATS and Comuni, each alphabetical in Italian. */
export function sortOptions(options: PickerOption[]): PickerOption[] {
	return options.sort((a, b) => LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] || collator.compare(a.name, b.name));
}

/** Lower case, accents and punctuation dropped: "Sant'Agata de' Goti" → "sant agata de goti". */
export function normalize(s: string): string {
	return fold(s);
}

// Names are normalised once, not on every keystroke (1,506 Comuni: ~5 → ~1 ms per key).
const normalizedNames = new Map<string, string>();
function normalizedName(name: string): string {
	let n = normalizedNames.get(name);
	if (n === undefined) normalizedNames.set(name, (n = normalize(name)));
	return n;
}

/**
 * The options matching `query` (accent- and case-insensitive; by name or ISTAT code), names
 * that start with it first, then those with a word that does, then any other match; at most
 * `limit`, with the count of all matches. An empty query lists everything above the Comuni
 * (or everything, when that fits in `limit`).
 */
export function search(options: readonly PickerOption[], query: string, limit = 60): { shown: PickerOption[]; total: number } {
	const q = normalize(query);
	if (!q) {
		const list = options.length <= limit ? options : options.filter((o) => o.level !== 'comune');
		return { shown: list.slice(0, limit), total: list.length };
	}
	const ranked: [number, number, PickerOption][] = [];
	options.forEach((o, i) => {
		const n = normalizedName(o.name);
		const rank = n.startsWith(q) ? 0 : ` ${n}`.includes(` ${q}`) ? 1 : n.includes(q) || (q.length >= 3 && normalizedName(o.id).includes(q)) ? 2 : -1;
		if (rank >= 0) ranked.push([rank, i, o]);
	});
	ranked.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	return { shown: ranked.slice(0, limit).map((r) => r[2]), total: ranked.length };
}
