/**
 * Writes `.br` and `.gz` siblings of the compressible files of the built app (the DuckDB
 * wasm, JS, CSS, HTML, JSON, SVG), so the gateway — or nginx `brotli_static`/`gzip_static`,
 * or a CDN — sends them compressed without compressing per request. Each sibling is written
 * to a temp name and renamed, so a running gateway never sends half a file; files whose
 * siblings are newer are skipped. Run alone: `node gateway/precompress.ts [build]`.
 */
import { readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.html', '.json', '.svg', '.wasm', '.map', '.txt', '.topojson']);
/** Below this, compression saves less than the overhead of a second file. */
const MIN_BYTES = 1024;

export interface PrecompressResult {
	written: number;
	skipped: number;
	bytesIn: number;
	bytesBr: number;
}

/** Precompresses every eligible file under `dir`. */
export async function precompressDir(dir: string): Promise<PrecompressResult> {
	const result: PrecompressResult = { written: 0, skipped: 0, bytesIn: 0, bytesBr: 0 };
	for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
		if (!entry.isFile() || !COMPRESSIBLE.has(path.extname(entry.name))) continue;
		const file = path.join(entry.parentPath, entry.name);
		const source = await stat(file);
		if (source.size < MIN_BYTES) continue;
		if (await upToDate(file, source.mtimeMs)) {
			result.skipped++;
			continue;
		}
		const data = await readFile(file);
		const size = data.length;
		// Quality 9, not 11. Measured on duckdb-eh.wasm (18.1 MB, 2 shared cores): q5 3.32 MB in 0.9 s,
		// q9 3.15 MB in 4.0 s, q11 2.75 MB in 67 s; gzip -9 4.20 MB in 0.6 s. q11 would make the
		// first start of the demo wait a minute per wasm for 0.4 MB less.
		const br = await brotli(data, {
			params: {
				[zlib.constants.BROTLI_PARAM_QUALITY]: 9,
				[zlib.constants.BROTLI_PARAM_SIZE_HINT]: size,
				[zlib.constants.BROTLI_PARAM_MODE]: path.extname(file) === '.wasm' ? zlib.constants.BROTLI_MODE_GENERIC : zlib.constants.BROTLI_MODE_TEXT
			}
		});
		const gz = await gzip(data, { level: 9 });
		await writeAtomic(file + '.br', br, source.mtime);
		await writeAtomic(file + '.gz', gz, source.mtime);
		result.written++;
		result.bytesIn += size;
		result.bytesBr += br.length;
	}
	return result;
}

async function upToDate(file: string, mtimeMs: number): Promise<boolean> {
	try {
		const [br, gz] = await Promise.all([stat(file + '.br'), stat(file + '.gz')]);
		return sameMtime(br.mtimeMs, mtimeMs) && sameMtime(gz.mtimeMs, mtimeMs);
	} catch {
		return false;
	}
}

/**
 * A sibling carries its source's mtime: the gateway sends it only while the two match, so a
 * rebuilt file is never answered with the compressed bytes of its previous content.
 */
export function sameMtime(a: number, b: number): boolean {
	// utimes goes through float seconds: allow for the rounding, not for a real change.
	return Math.abs(a - b) < 2;
}

async function writeAtomic(target: string, data: Buffer, mtime: Date): Promise<void> {
	const tmp = `${target}.${process.pid}.tmp`;
	try {
		await writeFile(tmp, data);
		await utimes(tmp, mtime, mtime);
		await rename(tmp, target);
	} catch (err) {
		await unlink(tmp).catch(() => {});
		throw err;
	}
}

if (import.meta.main) {
	const dir = process.argv[2] ?? 'build';
	const t0 = performance.now();
	const r = await precompressDir(dir);
	const ms = Math.round(performance.now() - t0);
	console.log(`precompress ${dir}: ${r.written} written, ${r.skipped} up to date, ${r.bytesIn} → ${r.bytesBr} bytes (br) in ${ms} ms`);
}
