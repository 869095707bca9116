/**
 * The naive design, built and measured in the benchmark's own run: one national Parquet file of
 * every Comune (all months, the extracts' columns), a plain static server with Range support,
 * and DuckDB-WASM 1.28 reading the file over HTTP to compute a Regione's first chart.
 */
import { copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, listValue } from '@duckdb/node-api';
import type { Manifest } from '#contracts';
import { launchBrowser } from '../tests/support/browser.ts';
import { pollUntil } from './browser.ts';
import { countBytes } from './net.ts';
import { startStaticServer } from './static-server.ts';
import { median } from './stats.ts';

const WASM_DIST = 'node_modules/@duckdb/duckdb-wasm/dist';
const ENGINE_FILES = ['duckdb-eh.wasm', 'duckdb-mvp.wasm', 'duckdb-browser-eh.worker.js', 'duckdb-browser-mvp.worker.js'];

/** A path as a SQL string literal (COPY ... TO takes no parameter). */
const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/**
 * Writes `<dir>/national.parquet` from the published regional extracts (their Comune rows,
 * same columns, ZSTD like ours) and `<dir>/first-chart.json` naming the Regione's ATS.
 */
export async function buildNaiveData(extractsDir: string, dir: string, regione: string): Promise<{ bytes: number; rows: number }> {
	const manifest = JSON.parse(await readFile(path.join(extractsDir, 'manifest.json'), 'utf8')) as Manifest;
	const regional = manifest.files.filter((f) => f.kind === 'extract' && f.scope.startsWith('r:'));
	const own = regional.find((f) => f.scope === regione);
	if (!own) throw new Error(`No extract for ${regione} in ${extractsDir}/manifest.json`);
	const files = regional.map((f) => path.resolve(extractsDir, f.path));
	await mkdir(dir, { recursive: true });
	const out = path.resolve(dir, 'national.parquet');
	const db = await DuckDBInstance.create(':memory:', { threads: '2' });
	const conn = await db.connect();
	try {
		// Prepared parameters are not allowed in COPY, so the source list goes into a view first.
		await conn.run(`CREATE TEMP TABLE comuni AS SELECT * FROM read_parquet($files) WHERE level = 'comune'`, { files: listValue(files) });
		await conn.run(`COPY (SELECT * FROM comuni ORDER BY territory_id, month, measure) TO ${sqlString(out + '.tmp')} (FORMAT parquet, COMPRESSION zstd)`);
		await rename(out + '.tmp', out);
		const ats = await conn.runAndReadAll(`SELECT DISTINCT territory_id FROM read_parquet($file) WHERE level = 'ats' ORDER BY 1`, {
			file: path.resolve(extractsDir, own.path)
		});
		const parents = ats.getRowObjectsJS().map((r) => String(r.territory_id));
		await writeFile(path.join(dir, 'first-chart.json'), JSON.stringify({ regione, parents }));
		const rows = await conn.runAndReadAll('SELECT count(*)::INTEGER AS n FROM comuni');
		const { size } = await stat(out);
		return { bytes: size, rows: Number(rows.getRowObjectsJS()[0].n) };
	} finally {
		conn.closeSync();
		db.closeSync();
	}
}

/** Bundles the naive page (rolldown, like any static-site tool would) and copies the engine beside it. */
export async function buildNaivePage(dir: string): Promise<void> {
	const { rolldown } = await import('rolldown');
	const bundle = await rolldown({ input: path.resolve('bench/naive-page.ts'), logLevel: 'silent', platform: 'browser' });
	await bundle.write({ file: path.join(dir, 'app.js'), format: 'es', minify: true });
	await bundle.close();
	for (const f of ENGINE_FILES) await copyFile(path.join(WASM_DIST, f), path.join(dir, f));
	await writeFile(
		path.join(dir, 'index.html'),
		'<!doctype html><html lang="it"><meta charset="utf-8"><title>Naive</title><script type="module" src="/app.js"></script><body></body></html>'
	);
}

export interface NaiveRun {
	first_chart_ms: number;
	bytes: number;
}

/** One cold run: a fresh browser profile opens the page; time from navigation start to the chart drawn. */
export async function runNaiveOnce(url: string, timeoutMs = 120_000): Promise<NaiveRun> {
	const browser = await launchBrowser();
	try {
		const page = await browser.context.newPage();
		const net = countBytes(page);
		await page.goto(url);
		// Polled like the app's sessions (bench/browser.ts), with no injected script in the timed page.
		const done = () => page.evaluate(() => Boolean(window.naiveError) || performance.getEntriesByName('naive:first-chart').length > 0);
		if (!(await pollUntil(done, timeoutMs))) throw new Error(`naive page: no chart in ${timeoutMs} ms`);
		const error = await page.evaluate(() => window.naiveError);
		if (error) throw new Error(`naive page: ${error}`);
		const ms = await page.evaluate(() => performance.getEntriesByName('naive:first-chart')[0].startTime);
		return { first_chart_ms: ms, bytes: await net.total() };
	} finally {
		await browser.close();
	}
}

/** Serves `dir` and runs the naive page `runs` times, cold each time. */
export async function benchNaive(dir: string, runs: number, log: (s: string) => void = () => {}): Promise<NaiveRun[]> {
	const server = await startStaticServer(dir);
	try {
		const results: NaiveRun[] = [];
		for (let i = 0; i < runs; i++) {
			const r = await runNaiveOnce(server.url + '/');
			log(`naive run ${i + 1}/${runs}: ${r.first_chart_ms.toFixed(0)} ms, ${r.bytes} bytes`);
			results.push(r);
		}
		return results;
	} finally {
		await server.close();
	}
}

/**
 * The whole naive phase: builds the national file (reused while newer than the extracts'
 * manifest) and the page, then `runs` cold runs; returns the medians.
 */
export async function benchNaiveDesign(opts: {
	extractsDir: string;
	dir: string;
	regione: string;
	runs: number;
	log: (s: string) => void;
}): Promise<{ first_chart_ms: number | null; bytes: number | null }> {
	const national = path.join(opts.dir, 'national.parquet');
	const manifestTime = (await stat(path.join(opts.extractsDir, 'manifest.json'))).mtimeMs;
	const built = await stat(national).catch(() => null);
	if (!built || built.mtimeMs < manifestTime) {
		opts.log('naive: writing the national Parquet file of every Comune…');
		const { bytes, rows } = await buildNaiveData(opts.extractsDir, opts.dir, opts.regione);
		opts.log(`naive: national.parquet ${rows} rows, ${bytes} bytes`);
	}
	await buildNaivePage(opts.dir);
	const results = await benchNaive(opts.dir, opts.runs, opts.log);
	return { first_chart_ms: median(results.map((r) => r.first_chart_ms)), bytes: median(results.map((r) => r.bytes)) };
}
