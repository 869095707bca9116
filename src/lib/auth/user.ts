/** The signed-in user as the app sees it, read from the ID token's claims. */
import { FISCAL_NUMBER_CLAIM, isRole, isTerritoryId, type Role, type TerritoryId } from '#contracts';

/** The Italian label of each role (defined once in the contracts). */
export { ROLE_LABELS } from '#contracts';

export interface User {
	fiscalCode: string;
	name: string;
	familyName: string;
	role: Role;
	territories: TerritoryId[];
}

/** Maps token claims to a User, or null when a required claim is missing or malformed. */
export function userFromClaims(claims: Record<string, unknown>): User | null {
	const fiscal = claims[FISCAL_NUMBER_CLAIM];
	const { name, family_name: familyName, role, territories } = claims;
	if (typeof fiscal !== 'string' || typeof name !== 'string' || typeof familyName !== 'string') return null;
	if (!isRole(role) || !Array.isArray(territories)) return null;
	const valid = territories.filter(isTerritoryId);
	if (valid.length === 0) return null;
	return { fiscalCode: fiscal.replace(/^TINIT-/, ''), name, familyName, role, territories: valid };
}

