/** A readable Italian label for a territory id when no name is known yet. */
import { codeOf, levelOf, type TerritoryId } from '#contracts';

const PREFIX = { italia: 'Italia', regione: 'Regione', provincia: 'Provincia', ats: 'ATS', comune: 'Comune' } as const;

/** `r:05` → `Regione 05`, `it` → `Italia`. */
export function territoryLabel(id: TerritoryId): string {
	const level = levelOf(id);
	if (!level) return id;
	return level === 'italia' ? PREFIX.italia : `${PREFIX[level]} ${codeOf(id)}`;
}
