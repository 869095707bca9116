/**
 * Verify of a version that only adds months to the previous one (build.ts `appendOnlyBase`):
 * what it shares with the previous version, verified when that was published, is not decoded
 * again. For each extract, the row groups at its start whose footer entry and bytes are
 * identical to the previous version's file (itself checked against the previous manifest's
 * sha256) hold the same rows; every other row group is decoded and checked like a new file.
 * `from()` is the first day of the earliest row group not shared, in either version: the
 * checks run on the rows from that day on, and the earlier rows are the previous version's.
 * italia.parquet is written whole each time: its earlier rows are compared with the previous
 * one's (verify.ts); the summaries' earlier months come from the previous summaries (checked
 * against their sha256 here).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest, ManifestFile } from '../contracts/manifest.ts';
import { dateOfDay } from './months.ts';
import { footerOf, rowGroupsOfFooter, type RowGroupInfo } from './parquet-footer.ts';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The previous version's file at a place: manifest path, absolute path, checksum. */
export interface PreviousFile {
	path: string;
	abs: string;
	sha256: string;
}

/** What an extract shares with the previous version's file: its first `groups` row groups; `restFrom`, the first day of the others (either file's). */
export interface Sharing {
	groups: number;
	restFrom: number;
}

/** The bytes of a previous version's file, checked against its manifest; null when absent or changed (a fault). */
export function previousBytes(p: PreviousFile, faults: string[]): Buffer | null {
	if (!existsSync(p.abs)) return null;
	const bytes = readFileSync(p.abs);
	if (sha256(bytes) === p.sha256) return bytes;
	faults.push(`${p.path}: the previous version's file differs from its manifest (sha256)`);
	return null;
}

/**
 * The row groups at the start of `bytes` (extract `f`, checksum matched) whose footer entries
 * and bytes are those of `old` (the previous version's file, checked), and the first day of
 * the rest; null when every row must be checked (no previous file, a footer without month
 * statistics). A row count that differs from the manifest is a fault.
 */
export function sharing(f: ManifestFile, bytes: Buffer, old: Buffer | null, faults: string[]): Sharing | null {
	if (!old) return null;
	let mine: RowGroupInfo[];
	let theirs: RowGroupInfo[];
	try {
		mine = rowGroupsOfFooter(footerOf(bytes)).groups;
		theirs = rowGroupsOfFooter(footerOf(old)).groups;
	} catch {
		return null; // the schema check reports an unreadable footer
	}
	const rows = mine.reduce((s, g) => s + g.rows, 0);
	if (rows !== f.rows) faults.push(`row count differs from the manifest: ${JSON.stringify({ path: f.path, rows: f.rows, footer: rows })}`);
	let k = 0;
	while (k < mine.length && k < theirs.length && mine[k]!.raw.equals(theirs[k]!.raw)) k++;
	const end = (gs: RowGroupInfo[]) => gs.reduce((e, g) => Math.max(e, g.start + g.bytes), 4);
	while (k > 0 && !bytes.subarray(0, end(mine.slice(0, k))).equals(old.subarray(0, end(theirs.slice(0, k))))) k--;
	const rest = [...mine.slice(k), ...theirs.slice(k)];
	if (rest.some((g) => !g.months)) return null;
	return { groups: k, restFrom: rest.reduce((d, g) => Math.min(d, g.months!.min), Infinity) };
}

export class SharedWithPrevious {
	private readonly byRel = new Map<string, ManifestFile>();
	/** The earliest day (days since 1970-01-01) of a row group not shared; -Infinity: check everything. */
	private first = Infinity;
	/** Row groups shared, by extract path. */
	private readonly sharedGroups = new Map<string, number>();
	readonly root: string;
	readonly previous: Manifest;
	constructor(root: string, previous: Manifest) {
		this.root = root;
		this.previous = previous;
		for (const f of previous.files) this.byRel.set(f.path.slice(previous.version.length + 1), f);
	}

	/** Where the previous version's file at the place of `rel` is, and its checksum; null when it has none. */
	previousOf(rel: string): PreviousFile | null {
		const pf = this.byRel.get(rel);
		return pf ? { path: pf.path, abs: join(this.root, pf.path), sha256: pf.sha256 } : null;
	}

	/** Notes the row groups `bytes` (a new extract whose checksum matched) shares with the previous version's file. */
	extract(version: string, f: ManifestFile, bytes: Buffer | null, faults: string[]): void {
		if (f.scope === 'it') {
			// italia.parquet is written whole and compared by rows (verify.ts); its row count from the footer
			const rows = bytes && rowGroupsOfFooter(footerOf(bytes)).rows;
			if (rows !== f.rows) faults.push(`row count differs from the manifest: ${JSON.stringify({ path: f.path, rows: f.rows, footer: rows })}`);
			return;
		}
		const previous = this.previousOf(f.path.slice(version.length + 1));
		this.note(f.path, bytes && sharing(f, bytes, previous && previousBytes(previous, faults), faults));
	}

	/** Records what `sharing` found for the extract at `path` (null: every row must be checked). */
	note(path: string, s: Sharing | null): void {
		if (!s) {
			this.first = -Infinity;
			return;
		}
		this.sharedGroups.set(path, s.groups);
		this.first = Math.min(this.first, s.restFrom);
	}

	/** The row groups `f` shares with the previous version's file (its first ones). */
	groups(f: ManifestFile): number {
		return Number.isFinite(this.first) ? (this.sharedGroups.get(f.path) ?? 0) : 0;
	}

	/** The first day checked (`YYYY-MM-DD`), or undefined when everything must be. */
	from(): string | undefined {
		return Number.isFinite(this.first) ? dateOfDay(this.first) : undefined;
	}

	/** The previous version's italia.parquet (absolute path), when present and unchanged. */
	italia(faults: string[]): string | null {
		const previous = this.previousOf('italia.parquet');
		return previous && previousBytes(previous, faults) ? previous.abs : null;
	}

	/** The previous version's summary texts by manifest path, each checked against its sha256. */
	summaries(faults: string[]): Map<string, string> {
		const out = new Map<string, string>();
		for (const f of this.previous.files) {
			if (f.kind !== 'summary') continue;
			const p = { path: f.path, abs: join(this.root, f.path), sha256: f.sha256 };
			// the earlier months of every summary come from here: a missing one is a fault, not "check everything"
			const bytes = previousBytes(p, faults);
			if (bytes) out.set(f.path, bytes.toString('utf8'));
			else if (!existsSync(p.abs)) faults.push(`${f.path}: the previous version's file is missing`);
		}
		return out;
	}
}
