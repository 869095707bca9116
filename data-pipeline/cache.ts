/**
 * The month cache of incremental builds, in `EXTRACTS_DIR/.cache/` (never served: the gateway
 * serves only the files listed in the manifest).
 *
 * - `files.json`: per input file its size, mtime and inode → sha256 and the months it holds,
 *   so unchanged inputs are neither re-hashed nor re-read (the way git's index trusts stat).
 * - `months/<YYYY-MM>.<key>.<sha>.parquet`: one month's aggregated and suppressed rows.
 *   `key` = sha256 of the pipeline's code, the registry, the ATS map, the month and the sha256
 *   of every input file holding that month: a changed input, rule or territory misses.
 *   `sha` is the entry's own checksum, re-checked on every read: a truncated or corrupt entry
 *   is deleted and the month recomputed. Entries are written to a temp name and renamed.
 *
 * Why per month is exact: every suppression equation (parent = Σ children, row = Σ category)
 * lies inside one month × measure, so a month's published rows depend only on its own inputs.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AtsMap } from './ats-map.ts';
import { sqlString, type Db } from './db.ts';
import { sha256File } from './publish.ts';
import type { Registry } from './registry.ts';

export const CACHE_DIR = '.cache';

export interface InputFile {
	file: string;
	sha256: string;
	/** `YYYY-MM` months the file holds; null until read. */
	months: string[] | null;
}

interface FileRecord {
	size: number;
	mtimeMs: number;
	ino: number;
	sha256: string;
	months: string[];
}

const sha = (...parts: string[]) => {
	const h = createHash('sha256');
	for (const p of parts) h.update(p).update('\0');
	return h.digest('hex');
};

let codeVersionMemo: string | undefined;

/** sha256 of every non-test source file of data-pipeline/ and contracts/: any rule change misses the cache. */
export function codeVersion(): string {
	if (codeVersionMemo) return codeVersionMemo;
	const here = dirname(fileURLToPath(import.meta.url));
	const parts: string[] = [];
	for (const dir of [here, resolve(here, '../contracts')])
		for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts')).sort()) parts.push(f, readFileSync(join(dir, f), 'utf8'));
	return (codeVersionMemo = sha(...parts));
}

/** What every month's rows depend on besides its own inputs. */
export function contextKey(registry: Registry, ats: AtsMap): string {
	const comuni = JSON.stringify(registry.comuni.map((c) => [c.code, c.name, c.province, c.provinceName, c.region, c.regionName, c.population]));
	const map = JSON.stringify([...ats.comuneToAts].sort(), null, 0) + JSON.stringify([...ats.ats.values()].map((a) => [a.code, a.name, a.region]).sort());
	return sha(codeVersion(), comuni, map);
}

export function monthKey(context: string, month: string, inputShas: string[]): string {
	return sha(context, month, ...[...inputShas].sort()).slice(0, 32);
}

function readIndex(root: string): Record<string, FileRecord> {
	try {
		const parsed = JSON.parse(readFileSync(join(root, CACHE_DIR, 'files.json'), 'utf8')) as unknown;
		return parsed && typeof parsed === 'object' ? (parsed as Record<string, FileRecord>) : {};
	} catch {
		return {}; // missing or corrupt: every file is hashed again
	}
}

/** The inputs with their sha256 (and months, when a previous build read the same bytes). */
export function fingerprintInputs(root: string, files: string[], useIndex: boolean): InputFile[] {
	const index = useIndex ? readIndex(root) : {};
	return files.map((file) => {
		const st = statSync(file);
		const rec = index[resolve(file)];
		if (rec && rec.size === st.size && rec.mtimeMs === st.mtimeMs && rec.ino === st.ino) return { file, sha256: rec.sha256, months: rec.months };
		return { file, sha256: sha256File(file), months: null };
	});
}

/** Records the inputs (all with months known) for the next build; atomic. */
export function saveInputIndex(root: string, inputs: InputFile[]): void {
	const dir = join(root, CACHE_DIR);
	mkdirSync(dir, { recursive: true });
	const index: Record<string, FileRecord> = {};
	for (const i of inputs) {
		if (!i.months) continue;
		const st = statSync(i.file);
		index[resolve(i.file)] = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, sha256: i.sha256, months: i.months };
	}
	const tmp = join(dir, `files.json.tmp-${process.pid}`);
	writeFileSync(tmp, JSON.stringify(index));
	renameSync(tmp, join(dir, 'files.json'));
}

const monthsDir = (root: string) => join(root, CACHE_DIR, 'months');

/** A valid entry for `month` under `key`, or null (a corrupt one is deleted). */
export function findEntry(root: string, month: string, key: string): string | null {
	const dir = monthsDir(root);
	if (!existsSync(dir)) return null;
	for (const name of readdirSync(dir)) {
		const m = /^(\d{4}-\d{2})\.([0-9a-f]{32})\.([0-9a-f]{64})\.parquet$/.exec(name);
		if (!m || m[1] !== month || m[2] !== key) continue;
		const path = join(dir, name);
		if (sha256File(path) === m[3]) return path;
		rmSync(path, { force: true });
	}
	return null;
}

/**
 * Writes one entry per month from `table` (columns: month DATE, then the cached columns); each
 * to a temp file, checksummed, then renamed into place. Returns the entry paths.
 */
export async function writeEntries(db: Db, root: string, table: string, keys: Map<string, string>): Promise<string[]> {
	const dir = monthsDir(root);
	mkdirSync(dir, { recursive: true });
	const out: string[] = [];
	for (const [month, key] of keys) {
		const tmp = join(dir, `${month}.${key}.tmp-${process.pid}`);
		// COPY takes no parameters; the month is a validated YYYY-MM
		await db.run(`COPY (SELECT * FROM ${table} WHERE month = DATE ${sqlString(`${month}-01`)} ORDER BY ALL) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
		const path = join(dir, `${month}.${key}.${sha256File(tmp)}.parquet`);
		renameSync(tmp, path);
		out.push(path);
	}
	return out;
}

/** Deletes every entry not in `keep` and what killed runs left (temp files). */
export function pruneEntries(root: string, keep: string[]): number {
	const dir = monthsDir(root);
	if (!existsSync(dir)) return 0;
	const kept = new Set(keep.map((k) => resolve(k)));
	let n = 0;
	for (const name of readdirSync(dir)) {
		if (kept.has(resolve(dir, name))) continue;
		rmSync(join(dir, name), { force: true });
		n++;
	}
	return n;
}

/** The month keys of the published version, so the next build compares only months whose key changed. */
export function readPublishedKeys(root: string): { version: string; keys: Record<string, string> } | null {
	try {
		return JSON.parse(readFileSync(join(root, CACHE_DIR, 'published.json'), 'utf8')) as { version: string; keys: Record<string, string> };
	} catch {
		return null;
	}
}

export function savePublishedKeys(root: string, version: string, keys: Map<string, string>): void {
	const dir = join(root, CACHE_DIR);
	mkdirSync(dir, { recursive: true });
	const tmp = join(dir, `published.json.tmp-${process.pid}`);
	writeFileSync(tmp, JSON.stringify({ version, keys: Object.fromEntries(keys) }));
	renameSync(tmp, join(dir, 'published.json'));
}
