/** The territory in view: the `t` parameter, else the user's own (their first accredited territory). */
import type { TerritoryId } from '#contracts';
import { readViewState, type UrlLike } from './view-state.ts';

/** The territory a user lands on. */
export function homeTerritory(territories: readonly TerritoryId[] | undefined): TerritoryId {
	return territories?.[0] ?? 'it';
}

/** The territory in view for `url` and a user accredited for `territories`. */
export function territoryInView(url: UrlLike, territories: readonly TerritoryId[] | undefined): TerritoryId {
	return readViewState(url).t ?? homeTerritory(territories);
}
