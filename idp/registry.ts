/**
 * The accreditation registry as the identity provider reads it: a JSON file holding an array
 * of `{fiscal_code, name, family_name, role, territories, status}` (the objects
 * `npm run accreditation -- export` writes). Read afresh on every login and token, so a
 * confirmation or a revocation takes effect at the next token.
 */
import { readFile } from 'node:fs/promises';
import { isRole, isTerritoryId, type Role, type TerritoryId } from '#contracts';

export type AccreditationStatus = 'confirmed' | 'pending' | 'revoked';

/** One accredited (or not yet, or no longer) person. */
export interface RegistryEntry {
	fiscal_code: string;
	name: string;
	family_name: string;
	role: Role;
	territories: TerritoryId[];
	status: AccreditationStatus;
}

const STATUSES: readonly string[] = ['confirmed', 'pending', 'revoked'];

/** Upper-cases and strips spaces (and an optional SPID `TINIT-` prefix) from a codice fiscale. */
export function normalizeFiscalCode(value: string): string {
	return value.replace(/\s+/g, '').toUpperCase().replace(/^TINIT-/, '');
}

/** Parses the registry JSON; throws naming the first malformed entry. */
export function parseRegistry(json: string): RegistryEntry[] {
	const data: unknown = JSON.parse(json);
	if (!Array.isArray(data)) throw new Error('accreditation registry: expected a JSON array');
	return data.map((raw: unknown, i): RegistryEntry => {
		const e = (raw ?? {}) as Record<string, unknown>;
		const bad = (what: string) => new Error(`accreditation registry: entry ${i}: ${what}`);
		if (typeof e.fiscal_code !== 'string' || e.fiscal_code === '') throw bad('fiscal_code missing');
		if (typeof e.name !== 'string' || typeof e.family_name !== 'string') throw bad('name or family_name missing');
		if (!isRole(e.role)) throw bad(`unknown role ${JSON.stringify(e.role)}`);
		if (!Array.isArray(e.territories) || !e.territories.every(isTerritoryId)) throw bad('territories malformed');
		if (typeof e.status !== 'string' || !STATUSES.includes(e.status)) throw bad(`unknown status ${JSON.stringify(e.status)}`);
		return {
			fiscal_code: normalizeFiscalCode(e.fiscal_code),
			name: e.name,
			family_name: e.family_name,
			role: e.role,
			territories: e.territories,
			status: e.status as AccreditationStatus
		};
	});
}

/** Looks one person up in the registry file, read now. A confirmed entry wins over others. */
export async function lookup(registryFile: string, fiscalCode: string): Promise<RegistryEntry | null> {
	const wanted = normalizeFiscalCode(fiscalCode);
	const matches = parseRegistry(await readFile(registryFile, 'utf8')).filter((e) => e.fiscal_code === wanted);
	return matches.find((e) => e.status === 'confirmed') ?? matches[0] ?? null;
}
