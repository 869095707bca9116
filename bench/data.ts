/**
 * What the benchmark runs on: the demo extracts at the chosen scale (built once with the
 * pipeline's demo builder into `var/bench-extracts/scale-<F>/`, reused while present), the
 * territories it measures, and a private copy of the built app.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Manifest } from '#contracts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface BenchData {
	extractsDir: string;
	/** Registry, keys and the app copy. */
	varDir: string;
	naiveDir: string;
	regione: string;
	/** The ATS measured: the one of `regione` with the largest extract (the worst case). */
	ats: string;
	/** Its extract, relative to `extractsDir`. */
	atsFile: string;
}

/**
 * DuckDB takes 80% of RAM by default: at scale 1 the generator grew past 13 GB on this shared
 * 24 GB machine. Until the returned function is called, every new DuckDB instance gets a memory
 * limit (`BENCH_DUCKDB_MEMORY`, default 4GB) and spills to `tempDir` instead.
 */
export function boundDuckDbMemory(tempDir: string): () => void {
	const original = DuckDBInstance.create.bind(DuckDBInstance);
	DuckDBInstance.create = (file?: string, options?: Record<string, string>) =>
		original(file, { memory_limit: process.env.BENCH_DUCKDB_MEMORY ?? '4GB', temp_directory: tempDir, ...options });
	return () => {
		DuckDBInstance.create = original;
	};
}

/** Builds the extracts at `scale` unless the cache has them (or uses `extractsDir`), then picks the territories. */
export async function ensureBenchData(opts: { scale: number; extractsDir?: string; regione: string; log: (s: string) => void }): Promise<BenchData> {
	const given = opts.extractsDir !== undefined;
	const extractsDir = given ? path.resolve(opts.extractsDir!) : path.join(ROOT, 'var', 'bench-extracts', `scale-${opts.scale}`);
	if (given && !existsSync(path.join(extractsDir, 'manifest.json'))) throw new Error(`--extracts ${extractsDir}: no manifest.json there (not a published extracts folder)`);
	if (!existsSync(path.join(extractsDir, 'manifest.json'))) {
		opts.log(`building the demo extracts at scale ${opts.scale} into ${path.relative(ROOT, extractsDir)} (once)…`);
		const started = Date.now();
		const { buildDemoExtracts } = await import('../data-pipeline/demo.ts');
		const restore = boundDuckDbMemory(path.join(ROOT, 'var', 'bench-extracts', '.duckdb-tmp'));
		try {
			// Every Regione gets its ATS and Comune files, as in a real publication.
			await buildDemoExtracts({ outDir: extractsDir, scale: opts.scale, detailRegions: 'all' });
		} finally {
			restore();
		}
		opts.log(`extracts built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
	}
	const manifest = JSON.parse(await readFile(path.join(extractsDir, 'manifest.json'), 'utf8')) as Manifest;
	const atsFiles = manifest.files
		.filter((f) => f.kind === 'extract' && f.scope.startsWith('a:') && f.within.includes(opts.regione))
		.sort((a, b) => b.bytes - a.bytes);
	if (atsFiles.length === 0) throw new Error(`no ATS extract inside ${opts.regione} in ${extractsDir}/manifest.json`);
	return {
		extractsDir,
		varDir: path.join(ROOT, 'var', 'bench'),
		naiveDir: path.join(ROOT, 'var', 'bench-naive', given ? `extracts-${path.basename(extractsDir)}` : `scale-${opts.scale}`),
		regione: opts.regione,
		ats: atsFiles[0].scope,
		atsFile: atsFiles[0].path
	};
}

/**
 * Builds the app into `var/bench/app` with its own SvelteKit output dir (vite.config.ts reads
 * CRUSCOTTO_BUILD_DIR / CRUSCOTTO_KIT_DIR), so neither the e2e builds in `build/` nor the
 * files under measurement get in each other's way. Without `rebuild`, reuses the copy.
 */
export async function buildAppCopy(opts: { rebuild: boolean; log: (s: string) => void }): Promise<string> {
	const appDir = path.join(ROOT, 'var', 'bench', 'app');
	if (!opts.rebuild && existsSync(path.join(appDir, 'index.html'))) return appDir;
	opts.log('building the app…');
	execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
		cwd: ROOT,
		stdio: ['ignore', 'ignore', 'inherit'],
		env: { ...process.env, CRUSCOTTO_BUILD_DIR: appDir, CRUSCOTTO_KIT_DIR: path.join(ROOT, 'var', 'bench', '.svelte-kit') }
	});
	return appDir;
}
