/**
 * The append-only audit log (JSON lines): every change to the registry is one event saying
 * who, what, when and under which PEC reference. The current state is derived from it
 * (state.ts); nothing else is stored. A command appends all its events with one write, under
 * an exclusive lock file, so a rejected file leaves no trace and two runs never interleave.
 */
import { appendFile, mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Role } from '../contracts/claims.ts';
import type { TerritoryId } from '../contracts/territory.ts';

/** Where a request or an accreditation came from. */
export type Source = 'regione-form' | 'ats-form' | 'gepi-roster' | 'ministero';

interface EventBase {
	/** ISO time of the change. */
	at: string;
	/** Who ran the command (the Ministry operator). */
	actor: string;
	/** The accreditation the event is about, e.g. `A000017`. */
	id: string;
}

/** A new accreditation: `pending` (forms) or `confirmed` directly (GePI roster, Ministry). */
export interface CreateEvent extends EventBase {
	action: 'request' | 'accredit';
	fiscal_code: string;
	name: string;
	family_name: string;
	role: Role;
	territory: TerritoryId;
	source: Source;
	/** The form's compiler (regional referent, ATS administrator) or the roster. */
	requested_by: string;
	/** The imported file and its row, for tracing back to the form. */
	file?: string;
	row?: number;
	email?: string;
}

export interface ConfirmEvent extends EventBase {
	action: 'confirm';
	/** Reference of the PEC "Accreditamento dashboard" that asked for it. */
	pec_ref: string;
}

export interface RevokeEvent extends EventBase {
	action: 'revoke';
	reason: string;
	pec_ref?: string;
}

export type AuditEvent = CreateEvent | ConfirmEvent | RevokeEvent;

/** The registry's files inside its directory. */
export function logPath(dir: string): string {
	return path.join(dir, 'audit.jsonl');
}

/** Reads every event; a malformed line is an error (the log is never silently skipped). */
export async function readLog(dir: string): Promise<AuditEvent[]> {
	let text: string;
	try {
		text = await readFile(logPath(dir), 'utf8');
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
		throw err;
	}
	return text
		.split('\n')
		.filter((line) => line.trim() !== '')
		.map((line, i) => {
			try {
				return JSON.parse(line) as AuditEvent;
			} catch {
				throw new Error(`${logPath(dir)}: line ${i + 1} is not valid JSON`);
			}
		});
}

/** Appends events in one write. */
export async function appendEvents(dir: string, events: readonly AuditEvent[]): Promise<void> {
	if (events.length === 0) return;
	// personal data (codici fiscali): readable by the publisher's account only
	await appendFile(logPath(dir), events.map((e) => JSON.stringify(e) + '\n').join(''), { flag: 'a', mode: 0o600 });
}

/** Runs `fn` holding the registry's lock (fails fast if another command holds it). */
export async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
	await mkdir(dir, { recursive: true, mode: 0o700 });
	const lock = path.join(dir, 'audit.lock');
	let handle;
	try {
		handle = await open(lock, 'wx');
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
			throw new Error(`${lock} exists: another accreditation command is running (remove the file if it is stale)`);
		}
		throw err;
	}
	try {
		await handle.write(String(process.pid));
		return await fn();
	} finally {
		await handle.close();
		await unlink(lock);
	}
}

/** The next free accreditation id after the events already in the log. */
export function nextId(events: readonly AuditEvent[]): () => string {
	let n = events.reduce((max, e) => Math.max(max, Number(e.id.slice(1)) || 0), 0);
	return () => `A${String(++n).padStart(6, '0')}`;
}
