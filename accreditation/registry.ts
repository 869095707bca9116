/**
 * The registry's operations, each run under the log's lock: read the log, derive the state,
 * check the whole change, then append all of its events at once or none.
 */
import { rename, writeFile } from 'node:fs/promises';
import { appendEvents, nextId, readLog, withLock, type AuditEvent } from './audit-log.ts';
import { readCsv, type RowError } from './csv.ts';
import { validateFiscalCode } from './fiscal-code.ts';
import { ATS_COLUMNS, GEPI_COLUMNS, nameError, planAts, planGepi, planRegione, REGIONE_COLUMNS, type Plan } from './imports.ts';
import { conflicts, deriveState, isActive, registryEntries, type Accreditation, type RegistryEntry } from './state.ts';
import type { TerritoryMap } from './territory-map.ts';

export type ImportKind = 'regione' | 'ats' | 'gepi';

/** A refused change: one line per problem, each naming its row when there is one. */
export class RegistryError extends Error {
	readonly problems: string[];
	constructor(summary: string, problems: string[]) {
		super(`${summary}\n${problems.map((p) => `  ${p}`).join('\n')}`);
		this.problems = problems;
	}
}

export interface Who {
	actor: string;
	/** Clock, for tests. */
	now?: () => Date;
}

const KINDS = {
	regione: { columns: REGIONE_COLUMNS, plan: planRegione },
	ats: { columns: ATS_COLUMNS, plan: planAts },
	gepi: { columns: GEPI_COLUMNS, plan: planGepi }
} as const;

/** Imports one CSV export. Throws RegistryError (nothing applied) when any row is bad. */
export async function importFile(dir: string, kind: ImportKind, file: string, map: TerritoryMap | null, who: Who): Promise<Plan> {
	const rows = await readCsv(file, KINDS[kind].columns);
	return withLock(dir, async () => {
		const events = await readLog(dir);
		const plan = KINDS[kind].plan(rows, {
			state: deriveState(events),
			map,
			actor: who.actor,
			now: (who.now?.() ?? new Date()).toISOString(),
			file,
			newId: nextId(events)
		});
		if (plan.errors.length) {
			const problems = plan.errors.sort((a: RowError, b: RowError) => a.row - b.row).map((e) => `row ${e.row}: ${e.message}`);
			throw new RegistryError(`${file}: ${plan.errors.length} error(s); nothing was imported (a file is applied whole or not at all)`, problems);
		}
		await appendEvents(dir, plan.events);
		return plan;
	});
}

/** Selects accreditations by id (`A000012`) or by codice fiscale (all of that person's). */
function select(state: Map<string, Accreditation>, targets: readonly string[], keep: (a: Accreditation) => boolean, what: string): { found: Accreditation[]; problems: string[] } {
	const found: Accreditation[] = [];
	const problems: string[] = [];
	for (const target of targets) {
		let matches: Accreditation[];
		if (/^A\d{6}$/.test(target)) matches = [state.get(target)].filter((a): a is Accreditation => a !== undefined);
		else {
			const cf = validateFiscalCode(target);
			if (!cf.ok) {
				problems.push(`${target}: ${cf.error}`);
				continue;
			}
			matches = [...state.values()].filter((a) => a.fiscal_code === cf.value);
		}
		const selected = matches.filter(keep);
		if (selected.length === 0) problems.push(`${target}: no ${what} accreditation`);
		found.push(...selected);
	}
	return { found, problems };
}

/** Confirms pending accreditations; needs the reference of the PEC "Accreditamento dashboard". */
export async function confirm(dir: string, targets: readonly string[], pecRef: string | undefined, who: Who): Promise<Accreditation[]> {
	if (!pecRef?.trim()) {
		throw new RegistryError('confirm needs --pec <reference>', ['the reference of the PEC "Accreditamento dashboard" sent by the Regione or the Ufficio di Piano']);
	}
	return change(dir, targets, (a) => a.status === 'pending', 'pending', who, (a, at) => ({ at, actor: who.actor, id: a.id, action: 'confirm', pec_ref: pecRef.trim() }));
}

/** Revokes active (pending or confirmed) accreditations. */
export async function revoke(dir: string, targets: readonly string[], reason: string | undefined, pecRef: string | undefined, who: Who): Promise<Accreditation[]> {
	return change(dir, targets, isActive, 'active', who, (a, at) => ({
		at,
		actor: who.actor,
		id: a.id,
		action: 'revoke',
		reason: reason?.trim() || 'revoked by the Ministry',
		...(pecRef?.trim() ? { pec_ref: pecRef.trim() } : {})
	}));
}

async function change(dir: string, targets: readonly string[], keep: (a: Accreditation) => boolean, what: string, who: Who, event: (a: Accreditation, at: string) => AuditEvent): Promise<Accreditation[]> {
	if (targets.length === 0) throw new RegistryError('nothing to change', ['give one or more codici fiscali or accreditation ids']);
	return withLock(dir, async () => {
		const state = deriveState(await readLog(dir));
		const { found, problems } = select(state, targets, keep, what);
		if (problems.length) throw new RegistryError('nothing was changed', problems);
		const at = (who.now?.() ?? new Date()).toISOString();
		await appendEvents(dir, found.map((a) => event(a, at)));
		return found;
	});
}

/** Accredits Ministry staff (scope `it`), confirmed directly. */
export async function addMinistero(dir: string, person: { fiscal_code: string; name: string; family_name: string }, who: Who): Promise<string> {
	const cf = validateFiscalCode(person.fiscal_code);
	if (!cf.ok) throw new RegistryError('nothing was changed', [cf.error]);
	if (!person.name || !person.family_name) throw new RegistryError('nothing was changed', ['--name and --family-name are required']);
	const bad = [nameError('--name', person.name), nameError('--family-name', person.family_name)].filter((e) => e !== null);
	if (bad.length) throw new RegistryError('nothing was changed', bad);
	return withLock(dir, async () => {
		const events = await readLog(dir);
		const held = [...deriveState(events).values()].find((a) => a.fiscal_code === cf.value && isActive(a));
		if (held) throw new RegistryError('nothing was changed', [`conflicting accreditation: ${cf.value} already holds a ${held.status} accreditation as ${held.role} for ${held.territory} (${held.id}); revoke it first`]);
		const id = nextId(events)();
		const at = (who.now?.() ?? new Date()).toISOString();
		await appendEvents(dir, [{ at, actor: who.actor, id, action: 'accredit', ...person, fiscal_code: cf.value, role: 'ministero', territory: 'it', source: 'ministero', requested_by: who.actor }]);
		return id;
	});
}

/** The current state and its conflicts (none can be created through this module). */
export async function currentState(dir: string) {
	const state = deriveState(await readLog(dir));
	return { state, entries: registryEntries(state), conflicts: conflicts(state) };
}

/** Writes the identity provider's registry file (atomic rename). Refuses when conflicts exist. */
export async function exportRegistry(dir: string, out: string): Promise<RegistryEntry[]> {
	const { entries, conflicts: found } = await currentState(dir);
	if (found.length) {
		throw new RegistryError('conflicting accreditations: nothing was exported', found.map((c) => `${c.fiscal_code}: ${c.accreditations.map((a) => `${a.role} ${a.territory} (${a.id}, ${a.status})`).join(' and ')}`));
	}
	// personal data (codici fiscali, roles): readable by the publisher's account only
	await writeFile(`${out}.tmp`, JSON.stringify(entries, null, '\t') + '\n', { mode: 0o600 });
	await rename(`${out}.tmp`, out);
	return entries;
}
