/**
 * The registry's current state, derived from the audit log, and the views of it: per
 * accreditation (one person, one role, one territory), and per person for the identity
 * provider (`export`) and `list --json`.
 */
import type { Role } from '../contracts/claims.ts';
import type { TerritoryId } from '../contracts/territory.ts';
import type { AuditEvent, Source } from './audit-log.ts';

export type Status = 'pending' | 'confirmed' | 'revoked';

export interface Accreditation {
	id: string;
	fiscal_code: string;
	name: string;
	family_name: string;
	role: Role;
	territory: TerritoryId;
	source: Source;
	requested_by: string;
	status: Status;
	created_at: string;
	pec_ref?: string;
	changed_at: string;
}

/** Replays the log. Events about unknown ids are errors: the log is the only truth. */
export function deriveState(events: readonly AuditEvent[]): Map<string, Accreditation> {
	const state = new Map<string, Accreditation>();
	for (const e of events) {
		if (e.action === 'request' || e.action === 'accredit') {
			state.set(e.id, {
				id: e.id,
				fiscal_code: e.fiscal_code,
				name: e.name,
				family_name: e.family_name,
				role: e.role,
				territory: e.territory,
				source: e.source,
				requested_by: e.requested_by,
				status: e.action === 'accredit' ? 'confirmed' : 'pending',
				created_at: e.at,
				changed_at: e.at
			});
			continue;
		}
		const a = state.get(e.id);
		if (!a) throw new Error(`audit log: ${e.action} of unknown accreditation ${e.id}`);
		if (e.action === 'confirm') {
			a.status = 'confirmed';
			a.pec_ref = e.pec_ref;
		} else {
			a.status = 'revoked';
		}
		a.changed_at = e.at;
	}
	return state;
}

/** Pending or confirmed: counts towards limits and conflicts. */
export function isActive(a: Accreditation): boolean {
	return a.status !== 'revoked';
}

/** One person's entry as the identity provider reads it (idp/registry.ts). */
export interface RegistryEntry {
	fiscal_code: string;
	name: string;
	family_name: string;
	role: Role;
	territories: TerritoryId[];
	status: Status;
}

/**
 * Groups accreditations by person, role and status: a Comune user accredited for two
 * Comuni is one entry with two territories. A revoked group is kept only when the person has
 * nothing active, so the provider can say "revoked" rather than "unknown".
 */
export function registryEntries(state: Map<string, Accreditation>): RegistryEntry[] {
	const groups = new Map<string, RegistryEntry>();
	const active = new Set([...state.values()].filter(isActive).map((a) => a.fiscal_code));
	for (const a of [...state.values()].sort((x, y) => x.id.localeCompare(y.id))) {
		if (a.status === 'revoked' && active.has(a.fiscal_code)) continue;
		const key = `${a.fiscal_code}|${a.role}|${a.status}`;
		const entry = groups.get(key);
		if (entry) {
			if (!entry.territories.includes(a.territory)) entry.territories.push(a.territory);
			// The latest request carries the current spelling of the name.
			entry.name = a.name;
			entry.family_name = a.family_name;
		} else {
			groups.set(key, { fiscal_code: a.fiscal_code, name: a.name, family_name: a.family_name, role: a.role, territories: [a.territory], status: a.status });
		}
	}
	const rank: Record<Status, number> = { confirmed: 0, pending: 1, revoked: 2 };
	return [...groups.values()].sort((a, b) => a.fiscal_code.localeCompare(b.fiscal_code) || rank[a.status] - rank[b.status]);
}

/** People holding active accreditations in more than one role: said, never silently merged. */
export function conflicts(state: Map<string, Accreditation>): { fiscal_code: string; accreditations: Accreditation[] }[] {
	const byPerson = new Map<string, Accreditation[]>();
	for (const a of state.values()) {
		if (!isActive(a)) continue;
		byPerson.set(a.fiscal_code, [...(byPerson.get(a.fiscal_code) ?? []), a]);
	}
	return [...byPerson]
		.filter(([, list]) => new Set(list.map((a) => a.role)).size > 1)
		.map(([fiscal_code, accreditations]) => ({ fiscal_code, accreditations }));
}
