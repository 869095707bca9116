/** Roles and token claims (DESIGN.md "Access: roles, scope, tokens"). */

export const ROLES = [
	'ministero',
	'regione',
	'ats_amministratore',
	'ats_coordinatore',
	'ufficio_di_piano',
	'comune'
] as const;

export type Role = (typeof ROLES)[number];

/** The SPID attribute name of the fiscal number claim; its value is `TINIT-<codice fiscale>`. */
export const FISCAL_NUMBER_CLAIM = 'https://attributes.eid.gov.it/fiscal_number';

/** The claims Cruscotto reads from an ID or access token. */
export interface CruscottoClaims {
	[FISCAL_NUMBER_CLAIM]: string;
	name: string;
	family_name: string;
	role: Role;
	territories: string[];
}

/** True when `value` is one of the roles of the note. */
export function isRole(value: unknown): value is Role {
	return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The Italian label of each role, as the Ministry's note names them (shown in the app and the provider). */
export const ROLE_LABELS: Record<Role, string> = {
	ministero: 'Ministero',
	regione: 'Regione',
	ats_amministratore: 'Amministratore ATS',
	ats_coordinatore: 'Coordinatore ATS',
	ufficio_di_piano: 'Ufficio di piano',
	comune: 'Comune'
};
