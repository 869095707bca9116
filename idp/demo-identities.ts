/**
 * The demo identities: one per role on real demo territories, plus one pending and one
 * revoked accreditation. Their codici fiscali are computed from the data shown (valid check
 * characters; born in Roma and around Napoli); idp/demo-identities.test.ts verifies them.
 */
import type { Role, TerritoryId } from '#contracts';
import type { ListedIdentity } from './pages.ts';
import type { AccreditationStatus, RegistryEntry } from './registry.ts';

/** A named territory. */
export interface NamedTerritory {
	id: TerritoryId;
	name: string;
}

/** The demo's territories: a Regione, an ATS inside it and a Comune of that ATS. */
export interface DemoTerritories {
	regione: NamedTerritory;
	ats: NamedTerritory;
	comune: NamedTerritory;
}

/** A demo person with the territory's display name. */
export interface DemoIdentity extends RegistryEntry {
	territoryName: string;
}

const ITALIA: NamedTerritory = { id: 'it', name: 'Italia' };

type Person = [fiscalCode: string, name: string, familyName: string, role: Role, where: keyof DemoTerritories | 'it', status: AccreditationStatus];

const PEOPLE: Person[] = [
	['BNCGLI78C54H501W', 'Giulia', 'Bianchi', 'ministero', 'it', 'confirmed'],
	['RSSMRC82L02F839I', 'Marco', 'Rossi', 'regione', 'regione', 'confirmed'],
	['FRRFNC75S63G964Y', 'Francesca', 'Ferrari', 'ats_amministratore', 'ats', 'confirmed'],
	['SPSLCU80E09F839Q', 'Luca', 'Esposito', 'ats_coordinatore', 'ats', 'confirmed'],
	['RMNCHR88P70G964A', 'Chiara', 'Romano', 'ufficio_di_piano', 'ats', 'confirmed'],
	['CLMLSN79A17G964B', 'Alessandro', 'Colombo', 'comune', 'comune', 'confirmed'],
	['RCCSRA90D45B963R', 'Sara', 'Ricci', 'comune', 'comune', 'pending'],
	['GRCPLA70T11H703P', 'Paolo', 'Greco', 'ufficio_di_piano', 'ats', 'revoked']
];

/** The demo identities placed on the given territories. */
export function demoIdentities(t: DemoTerritories): DemoIdentity[] {
	return PEOPLE.map(([fiscal_code, name, family_name, role, where, status]) => {
		const territory = where === 'it' ? ITALIA : t[where];
		return { fiscal_code, name, family_name, role, territories: [territory.id], status, territoryName: territory.name };
	});
}

/** The registry file content for the demo identities (what `accreditation export` would write). */
export function demoRegistry(identities: readonly DemoIdentity[]): RegistryEntry[] {
	return identities.map(({ territoryName: _, ...entry }) => entry);
}

/** How the login page lists them. */
export function listed(identities: readonly DemoIdentity[]): ListedIdentity[] {
	return identities.map((i) => ({
		fiscal_code: i.fiscal_code,
		name: i.name,
		family_name: i.family_name,
		role: i.role,
		status: i.status,
		territory: `${i.territoryName} (${i.territories.join(', ')})`
	}));
}
