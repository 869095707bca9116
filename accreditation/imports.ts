/**
 * The three imports of the note, each turned into a plan: the events to append, the rows that
 * change nothing (already accredited), and row-level errors. The CLI applies a plan only when
 * it has no errors: a file is applied whole or not at all (docs/accreditation.md).
 */
import type { Role } from '../contracts/claims.ts';
import type { TerritoryId } from '../contracts/territory.ts';
import type { CreateEvent, Source } from './audit-log.ts';
import type { CsvRow, RowError } from './csv.ts';
import { validateFiscalCode } from './fiscal-code.ts';
import { isActive, type Accreditation } from './state.ts';
import { REGIONI, type TerritoryMap } from './territory-map.ts';

/** At most this many regional users per Regione, pending and confirmed together (note 6658/2023). */
export const MAX_REGIONAL_USERS = 8;

export const REGIONE_COLUMNS = ['referente_codice_fiscale', 'regione', 'codice_fiscale', 'nome', 'cognome'] as const;
export const ATS_COLUMNS = ['amministratore_codice_fiscale', 'ats', 'codice_fiscale', 'nome', 'cognome', 'ruolo', 'comune'] as const;
export const GEPI_COLUMNS = ['codice_fiscale', 'nome', 'cognome', 'ruolo', 'ats'] as const;

export interface ImportContext {
	state: Map<string, Accreditation>;
	map: TerritoryMap | null;
	actor: string;
	now: string;
	file: string;
	newId: () => string;
}

export interface Plan {
	events: CreateEvent[];
	/** Rows already accredited exactly so (re-imported exports change nothing). */
	unchanged: number[];
	errors: RowError[];
}

interface Wanted {
	row: number;
	fiscal_code: string;
	name: string;
	family_name: string;
	role: Role;
	territory: TerritoryId;
	requested_by: string;
	email?: string;
}

// A letter first (so never = + - @, which a spreadsheet runs as a formula), then letters, digits,
// spaces, apostrophes, hyphens and dots: no tab or newline to break `list`'s lines, no markup.
const NAME = /^\p{L}[\p{L}\p{M}\p{N} '’.-]*$/u;

/** Why a person's `nome`/`cognome` is refused, or null when it is fine (an empty one is reported apart). */
export function nameError(field: string, value: string): string | null {
	if (value === '' || (NAME.test(value) && value.length <= 100)) return null;
	return `${field}: ${JSON.stringify(value)} must start with a letter and hold only letters, digits, spaces, apostrophes, hyphens and dots (at most 100 characters)`;
}

/** Shared bookkeeping: duplicates, conflicting roles, and the plan's events. */
class Planner {
	readonly plan: Plan = { events: [], unchanged: [], errors: [] };
	readonly #ctx: ImportContext;
	readonly #source: Source;

	constructor(ctx: ImportContext, source: Source) {
		this.#ctx = ctx;
		this.#source = source;
	}

	error(row: number, message: string): void {
		this.plan.errors.push({ row, message });
	}

	/** Active accreditations, including those this file is about to add. */
	active(): { fiscal_code: string; role: Role; territory: TerritoryId; status: string; id: string }[] {
		const existing = [...this.#ctx.state.values()].filter(isActive);
		const planned = this.plan.events.map((e) => ({ ...e, status: e.action === 'accredit' ? 'confirmed' : 'pending' }));
		return [...existing, ...planned];
	}

	/** Person fields of a row: valid codice fiscale, non-empty names. Null after reporting errors. */
	person(r: CsvRow, cfColumn = 'codice_fiscale'): { fiscal_code: string; name: string; family_name: string } | null {
		const cf = validateFiscalCode(r.values[cfColumn] ?? '');
		if (!cf.ok) this.error(r.row, `${cfColumn}: ${cf.error}`);
		const name = r.values.nome ?? '';
		const family_name = r.values.cognome ?? '';
		if (!name || !family_name) this.error(r.row, 'nome and cognome are required');
		const bad = [nameError('nome', name), nameError('cognome', family_name)].filter((e) => e !== null);
		for (const e of bad) this.error(r.row, e);
		return cf.ok && name && family_name && bad.length === 0 ? { fiscal_code: cf.value, name, family_name } : null;
	}

	/** Adds the accreditation unless it exists already or conflicts with another role. */
	add(w: Wanted): void {
		const mine = this.active().filter((a) => a.fiscal_code === w.fiscal_code);
		const other = mine.find((a) => a.role !== w.role);
		if (other) {
			const where = other.id ? ` (${other.id})` : '';
			this.error(w.row, `conflicting accreditation: ${w.fiscal_code} already holds a ${other.status} accreditation as ${other.role} for ${other.territory}${where}; revoke it first`);
			return;
		}
		if (mine.some((a) => a.territory === w.territory)) {
			this.plan.unchanged.push(w.row);
			return;
		}
		const direct = this.#source === 'gepi-roster';
		this.plan.events.push({
			at: this.#ctx.now,
			actor: this.#ctx.actor,
			id: this.#ctx.newId(),
			action: direct ? 'accredit' : 'request',
			fiscal_code: w.fiscal_code,
			name: w.name,
			family_name: w.family_name,
			role: w.role,
			territory: w.territory,
			source: this.#source,
			requested_by: w.requested_by,
			file: this.#ctx.file,
			row: w.row,
			...(w.email ? { email: w.email } : {})
		});
	}
}

/** The regional form, compiled by the Regione's referent: at most 8 users per Regione. */
export function planRegione(rows: readonly CsvRow[], ctx: ImportContext): Plan {
	const p = new Planner(ctx, 'regione-form');
	for (const r of rows) {
		const referente = validateFiscalCode(r.values.referente_codice_fiscale ?? '');
		if (!referente.ok) p.error(r.row, `referente_codice_fiscale: ${referente.error}`);
		const regione = `r:${(r.values.regione ?? '').replace(/^r:/i, '').padStart(2, '0')}`;
		if (!REGIONI.has(regione)) p.error(r.row, `regione: ${JSON.stringify(r.values.regione)} is not an ISTAT Regione code (01–20)`);
		const person = p.person(r);
		if (!person || !referente.ok || !REGIONI.has(regione)) continue;
		const users = new Set(p.active().filter((a) => a.role === 'regione' && a.territory === regione).map((a) => a.fiscal_code));
		if (!users.has(person.fiscal_code) && users.size >= MAX_REGIONAL_USERS) {
			p.error(r.row, `Regione ${regione} already has ${users.size} regional users, pending and confirmed together (at most ${MAX_REGIONAL_USERS}); revoke one first`);
			continue;
		}
		p.add({ row: r.row, ...person, role: 'regione', territory: regione, requested_by: referente.value, email: r.values.email });
	}
	return p.plan;
}

/** The ATS administrator's form: Ufficio di Piano users, or Comune users of a Comune of that ATS. */
export function planAts(rows: readonly CsvRow[], ctx: ImportContext): Plan {
	const p = new Planner(ctx, 'ats-form');
	if (!ctx.map) throw new Error('import-ats needs the Comune→ATS map: pass --extracts DIR or --ats-map FILE');
	const map = ctx.map;
	const admins = [...ctx.state.values()].filter((a) => a.role === 'ats_amministratore' && a.status === 'confirmed');
	for (const r of rows) {
		const admin = validateFiscalCode(r.values.amministratore_codice_fiscale ?? '');
		if (!admin.ok) p.error(r.row, `amministratore_codice_fiscale: ${admin.error}`);
		const ats = `a:${(r.values.ats ?? '').replace(/^a:/i, '')}`;
		const atsKnown = map.ats.has(ats);
		if (!atsKnown) p.error(r.row, `ats: ${JSON.stringify(r.values.ats)} is not an ATS of the map (${map.source})`);
		if (admin.ok && atsKnown && !admins.some((a) => a.fiscal_code === admin.value && a.territory === ats)) {
			p.error(r.row, `${admin.value} is not a GePI amministratore of ${ats}: only the ATS administrator may register users for it`);
		}
		const ruolo = (r.values.ruolo ?? '').toLowerCase().replace(/\s+/g, '_');
		let territory: TerritoryId | null = null;
		if (ruolo === 'ufficio_di_piano') territory = ats;
		else if (ruolo === 'comune') {
			const comune = `c:${(r.values.comune ?? '').replace(/^c:/i, '').padStart(6, '0')}`;
			const owner = map.comuneToAts.get(comune);
			if (!owner) p.error(r.row, `comune: ${JSON.stringify(r.values.comune)} is not a Comune of the map (${map.source})`);
			else if (owner !== ats) p.error(r.row, `comune: ${comune} is not in ${ats}; an ATS administrator may register users only for the Comuni of that ATS`);
			else territory = comune;
		} else p.error(r.row, `ruolo: ${JSON.stringify(r.values.ruolo)} must be ufficio_di_piano or comune`);
		const person = p.person(r);
		if (!person || !territory || p.plan.errors.some((e) => e.row === r.row)) continue;
		p.add({ row: r.row, ...person, role: ruolo as Role, territory, requested_by: admin.ok ? admin.value : '', email: r.values.email });
	}
	return p.plan;
}

/** The GePI roster: amministratori and coordinatori of each ATS are accredited directly. */
export function planGepi(rows: readonly CsvRow[], ctx: ImportContext): Plan {
	const p = new Planner(ctx, 'gepi-roster');
	const roles: Record<string, Role> = { amministratore: 'ats_amministratore', coordinatore: 'ats_coordinatore' };
	for (const r of rows) {
		const role = roles[(r.values.ruolo ?? '').toLowerCase()];
		if (!role) p.error(r.row, `ruolo: ${JSON.stringify(r.values.ruolo)} must be amministratore or coordinatore`);
		const ats = `a:${(r.values.ats ?? '').replace(/^a:/i, '')}`;
		const atsOk = /^a:[A-Z0-9]{2,12}$/.test(ats) && (!ctx.map || ctx.map.ats.has(ats));
		if (!atsOk) p.error(r.row, `ats: ${JSON.stringify(r.values.ats)} is not a known ATS code${ctx.map ? ` (${ctx.map.source})` : ''}`);
		const person = p.person(r);
		if (!person || !role || !atsOk) continue;
		p.add({ row: r.row, ...person, role, territory: ats, requested_by: 'GePI', email: r.values.email });
	}
	return p.plan;
}
