/**
 * An ATS's Comuni from answers already drawn for its Regione: each row of a comparison is its
 * own territory's sums (`comparisonQuery` groups by territory), whatever the territory in view,
 * so the Comuni of an ATS compared inside it are the Regione's Comuni whose ATS it is (the same
 * `confronto_territori` membership), and the ATS itself is its row among the Regione's ATS.
 * Opening an ATS from the table, the map or a link after the Regione's Comuni and ATS were on
 * screen then needs no query (was 35–45 ms of query in a 90–160 ms step).
 */
import type { ComparisonRow } from '#lib/charts/table/table-utils.ts';

export interface RowsAnswer {
	rows: ComparisonRow[];
	scope: ComparisonRow | null;
}

/**
 * The comparison of the Comuni inside `ats` (and `ats` as the reference) from the Regione's
 * Comuni (`comuni`) and ATS (`atsLevel`) in the same month, measure and indicator; `parentOf`
 * maps each Comune of the Regione to its ATS (`comuneAtsQuery`). Null when the ATS has no row.
 */
export function insideAts(ats: string, comuni: RowsAnswer, atsLevel: RowsAnswer, parentOf: ReadonlyMap<string, string | null>): RowsAnswer | null {
	const scope = atsLevel.rows.find((r) => r.id === ats);
	if (!scope) return null;
	// The Regione's rows are in name order: the subset keeps it.
	return { rows: comuni.rows.filter((r) => parentOf.get(r.id) === ats), scope };
}
