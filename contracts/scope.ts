/**
 * What a token's territories reach (DESIGN.md): `it` → everything; `r:RR` → files of the
 * Regione and everything inside it; `a:CODE` → the ATS file and its Comuni; `c:ISTAT` → the
 * Comune file. Files whose scope is `it` (italia.parquet, boundaries) go to every valid token.
 * The same rule runs in the gateway (security boundary) and in the app (user experience).
 */
import type { ManifestFile } from './manifest.ts';
import { isTerritoryId, type TerritoryId } from './territory.ts';

/** True when a user accredited for `territories` may read `file`. */
export function reaches(territories: readonly TerritoryId[], file: Pick<ManifestFile, 'scope' | 'within'>): boolean {
	if (file.scope === 'it') return true;
	return territories.some(
		(t) => isTerritoryId(t) && (t === 'it' || t === file.scope || file.within.includes(t))
	);
}
