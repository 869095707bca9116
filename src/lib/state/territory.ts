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
 * in) lists that extract within the user's scope. A Provincia (no extract of its own) is left
 * to the data layer.
 */
export function accessTo(t: TerritoryId, territories: readonly TerritoryId[], files: readonly ManifestFile[] | null): Access {
	if (territories.includes('it') || territories.includes(t)) return 'allowed';
	if (t === 'it') return 'refused';
	if (levelOf(t) === 'provincia') return 'allowed';
	if (!files) return 'unknown';
	return files.some((f) => f.kind === 'extract' && f.scope === t && reaches(territories, f)) ? 'allowed' : 'refused';
}
