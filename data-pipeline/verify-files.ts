/**
 * The file-level checks of verify: every manifest file exists inside its version, has the
 * manifest's size and sha256, and the scope its path implies. Files are read whole and
 * hashed one after the other: measured on a national version (17,046 files, 74 MB, in the
 * page cache) 0.8–1.5 s, against 3.5 s with 16 reads in flight (fs/promises) and 15 s with
 * streams; only a file past STREAM_FROM bytes is streamed.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import type { Manifest, ManifestFile } from '../contracts/manifest.ts';
import { footerOf, readParquetSchema, schemaOfFooter, type SchemaElement } from './parquet-footer.ts';
import { previousBytes, sharing, type PreviousFile, type Sharing } from './verify-previous.ts';

const FILE_RE = /^(italia)\.parquet$|^(regione|ats|comune)\/([A-Z0-9]+)\.parquet$/;
const STREAM_FROM = 64 << 20;

/** The scope a path must have: `regione/15.parquet` → `r:15`. */
export function scopeOfPath(rel: string): string | null {
	const m = FILE_RE.exec(rel);
	if (!m) return null;
	if (m[1]) return 'it';
	return `${{ regione: 'r', ats: 'a', comune: 'c' }[m[2] as 'regione']}:${m[3]}`;
}

/** sha256 (hex) of a file of `size` bytes: read whole, or in 8 MB chunks past STREAM_FROM. */
export function sha256Of(file: string, size: number): string {
	const hash = createHash('sha256');
	if (size < STREAM_FROM) return hash.update(readFileSync(file)).digest('hex');
	const fd = openSync(file, 'r');
	try {
		const buf = Buffer.allocUnsafe(8 << 20);
		for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
	} finally {
		closeSync(fd);
	}
	return hash.digest('hex');
}

/**
 * Checks each file of `manifest` (absolute path from `resolve`) and returns the text of the
 * summary files by manifest path (read once: hashed and kept for the content check).
 * `onExtract` gets the bytes of each extract whose checksum matched (null for a file
 * streamed because of its size), read once for both.
 */
export async function checkFiles(
	manifest: Manifest,
	resolve: (p: string) => string,
	faults: string[],
	onExtract?: (f: ManifestFile, bytes: Buffer | null) => void
): Promise<Map<string, string>> {
	const summaries = new Map<string, string>();
	for (const f of manifest.files) checkFile(manifest.version, f, resolve(f.path), faults, summaries, onExtract);
	return summaries;
}

export function checkFile(version: string, f: ManifestFile, abs: string, faults: string[], summaries: Map<string, string>, onExtract?: (f: ManifestFile, bytes: Buffer | null) => void): void {
	if (!f.path.startsWith(`${version}/`)) faults.push(`${f.path}: not inside version ${version}`);
	const size = statSync(abs, { throwIfNoEntry: false })?.size;
	if (size === undefined) {
		faults.push(`${f.path}: missing`);
		return;
	}
	if (size !== f.bytes) faults.push(`${f.path}: ${size} bytes, manifest says ${f.bytes}`);
	else if (f.kind === 'summary') {
		const bytes = readFileSync(abs);
		if (createHash('sha256').update(bytes).digest('hex') !== f.sha256) faults.push(`${f.path}: sha256 differs from the manifest`);
		else summaries.set(f.path, bytes.toString('utf8'));
	} else if (f.kind === 'extract' && size < STREAM_FROM) {
		const bytes = readFileSync(abs);
		if (createHash('sha256').update(bytes).digest('hex') !== f.sha256) faults.push(`${f.path}: sha256 differs from the manifest`);
		else onExtract?.(f, bytes);
	} else if (sha256Of(abs, size) !== f.sha256) faults.push(`${f.path}: sha256 differs from the manifest`);
	else if (f.kind === 'extract') onExtract?.(f, null);
	const rel = f.path.slice(version.length + 1);
	const summaryScope = () => (/^summary\/benchmarks\/\d{2}\.json$/.test(rel) ? 'it' : scopeOfPath(rel.replace(/^summary\//, '').replace(/\.json$/, '.parquet')));
	const expected = f.kind === 'extract' ? scopeOfPath(rel) : f.kind === 'summary' ? summaryScope() : 'it';
	if (expected === null || expected !== f.scope) faults.push(`${f.path}: scope ${f.scope} does not match the path`);
}

/** One extract checked away from the main thread (verify-files-worker.ts). */
export interface ExtractJob {
	f: ManifestFile;
	abs: string;
	version: string;
	/** The previous version's file at the same place (null: none); undefined when the version is checked alone. */
	previous?: PreviousFile | null;
}

/** What `checkFile` found, the file's schema (or why it could not be read), and what it shares with the previous version's file. */
export interface ExtractResult {
	faults: string[];
	schema: SchemaElement[] | string | null;
	/** Undefined when not looked at (no previous version, or the checksum did not match). */
	sharing?: Sharing | null;
}

/** `checkFile` on an extract, then its schema and (with a previous version) the row groups it shares with it, from the bytes read once. */
export function checkExtract(job: ExtractJob): ExtractResult {
	const result: ExtractResult = { faults: [], schema: null };
	checkFile(job.version, job.f, job.abs, result.faults, new Map(), (f, bytes) => {
		try {
			result.schema = bytes ? schemaOfFooter(footerOf(bytes)) : readParquetSchema(job.abs);
		} catch (e) {
			result.schema = (e as Error).message;
		}
		if (job.previous !== undefined) result.sharing = bytes && sharing(f, bytes, job.previous && previousBytes(job.previous, result.faults), result.faults);
	});
	return result;
}
