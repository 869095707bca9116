/** The territory in view: the `t` parameter, else the user's own (their first accredited territory). */
import { levelOf, reaches, type ManifestFile, type TerritoryId } from '#contracts';
import { readViewState, type UrlLike } from './view-state.ts';

/** The territory a user lands on. */
export function homeTerritory(territories: readonly TerritoryId[] | undefined): TerritoryId {
	return territories?.[0] ?? 'it';
}

/** The territory in view for `url` and a user accredited for `territories`. */
export function territoryInView(url: UrlLike, territories: readonly TerritoryId[] | undefined): TerritoryId {
	return readViewState(url).t ?? homeTerritory(territories);
}

/** Whether the territory in view is one the user may see; `unknown` while the manifest that says so is not in. */
export type Access = 'allowed' | 'refused' | 'unknown';

/**
 * Whether a user accredited for `territories` may put `t` in view. Italia only for national
 * users (every token reads italia.parquet, but for the benchmarks); any other territory with
 * its own extract when the manifest the gateway filtered for the token (`files`, null while not
 * in) lists that extract within the user's scope. Left to the data layer (which loads the file
 * that holds it, or says the profile cannot see it): a Provincia (no extract of its own), and a
 * Comune or ATS without one when the user's Regione (or, for a Comune, ATS) is published without
 * the files of what lies inside it — nothing in the manifest then says whether `t` is inside.
 */
export function accessTo(t: TerritoryId, territories: readonly TerritoryId[], files: readonly ManifestFile[] | null): Access {
	if (territories.includes('it') || territories.includes(t)) return 'allowed';
	if (t === 'it') return 'refused';
	const level = levelOf(t);
	if (level === 'provincia') return 'allowed';
	if (!files) return 'unknown';
	const extracts = files.filter((f) => f.kind === 'extract');
	if (extracts.some((f) => f.scope === t && reaches(territories, f))) return 'allowed';
	if ((level === 'comune' || level === 'ats') && !extracts.some((f) => f.scope === t)) {
		const holds = (u: TerritoryId) => levelOf(u) === 'regione' || (levelOf(u) === 'ats' && level === 'comune');
		if (territories.some((u) => holds(u) && !extracts.some((f) => f.within.includes(u)))) return 'allowed';
	}
	return 'refused';
}
