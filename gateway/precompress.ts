/**
 * Writes `.br` and `.gz` siblings of the compressible files of the built app (the DuckDB
 * wasm, JS, CSS, HTML, JSON, SVG), so the gateway — or nginx `brotli_static`/`gzip_static`,
 * or a CDN — sends them compressed without compressing per request. Each sibling is written
 * to a temp name and renamed, so a running gateway never sends half a file; files whose
 * siblings are newer are skipped. Run alone: `node gateway/precompress.ts [build]`.
 */
import { readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
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
		// Quality 9, not 11: within ~5% of the size for the 18 MB wasm, in a fraction of the time.
		const br = await brotli(data, {
			params: {
				[zlib.constants.BROTLI_PARAM_QUALITY]: 9,
				[zlib.constants.BROTLI_PARAM_SIZE_HINT]: size,
				[zlib.constants.BROTLI_PARAM_MODE]: path.extname(file) === '.wasm' ? zlib.constants.BROTLI_MODE_GENERIC : zlib.constants.BROTLI_MODE_TEXT
			}
		});
		const gz = await gzip(data, { level: 9 });
		await writeAtomic(file + '.br', br);
		await writeAtomic(file + '.gz', gz);
		result.written++;
		result.bytesIn += size;
		result.bytesBr += br.length;
	}
	return result;
}

async function upToDate(file: string, mtimeMs: number): Promise<boolean> {
	try {
		const [br, gz] = await Promise.all([stat(file + '.br'), stat(file + '.gz')]);
		return br.mtimeMs >= mtimeMs && gz.mtimeMs >= mtimeMs;
	} catch {
		return false;
	}
}

async function writeAtomic(target: string, data: Buffer): Promise<void> {
	const tmp = `${target}.${process.pid}.tmp`;
	try {
		await writeFile(tmp, data);
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
