/**
 * `node bench/ab-warm.ts --extracts DIR [--rounds N] [--cold N] [--no-build | --a DIR [--b DIR]]`: an A/B of the DuckDB wasm's
 * encoding for a returning user — A the app as built and precompressed (wasm sent brotli), B the
 * same files without the wasm's brotli sibling (sent gzip) — in warm sessions that alternate
 * A, B, A, B… so that the load of this shared
 * machine weighs on both alike. Each variant has its own gateway and browser profile, whose
 * first visit runs the scripted interactions (as in `npm run bench`). Decision 0032.
 *
 * Like the gateway of `npm start`, it precompresses the app dirs it serves: `--a`/`--b` folders get
 * `.br`/`.gz` siblings of their assets (kept up to date by mtime, harmless to a later run).
 */
import { cp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser } from '../tests/support/browser.ts';
import { precompressDir } from '../gateway/precompress.ts';
import { installRecorder, runSession, type SessionResult } from './browser.ts';
import { buildAppCopy, ensureBenchData } from './data.ts';
import { runInteractions } from './interactions.ts';
import { startBenchStack, BENCH_REGIONE_CF } from './stack.ts';
import { median } from './stats.ts';

const { values } = parseArgs({
	options: {
		extracts: { type: 'string' },
		rounds: { type: 'string', default: '6' },
		cold: { type: 'string', default: '0' },
		'no-build': { type: 'boolean', default: false },
		/** Two built app dirs to compare instead of brotli vs gzip wasm (with `--a` alone: that build's wasm, brotli vs gzip). */
		a: { type: 'string' },
		b: { type: 'string' }
	}
});
const log = (s: string) => process.stderr.write(`[ab ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

const data = await ensureBenchData({ scale: 1, extractsDir: values.extracts, regione: 'r:03', log });
const given = values.a !== undefined && values.b !== undefined;
// `--a DIR` alone: that build, brotli wasm against gzip wasm.
const appA = values.a ?? (await buildAppCopy({ rebuild: !values['no-build'], log }));
await precompressDir(appA);
const appB = given ? values.b! : path.join(os.tmpdir(), `cruscotto-ab-${process.pid}`);
if (given) await precompressDir(appB);
else {
	await cp(appA, appB, { recursive: true, preserveTimestamps: true });
	const assets = path.join(appB, '_app/immutable/assets');
	for (const f of (await readdir(assets)).filter((f) => f.endsWith('.wasm.br'))) await rm(path.join(assets, f));
}

const variants = given
	? [
			{ name: 'A ' + path.basename(appA), appDir: appA },
			{ name: 'B ' + path.basename(appB), appDir: appB }
		]
	: [
			{ name: 'A brotli wasm', appDir: appA },
			{ name: 'B gzip wasm', appDir: appB }
		];
const stacks = await Promise.all(
	variants.map((v, i) =>
		startBenchStack({ appDir: v.appDir, extractsDir: data.extractsDir, varDir: path.join(data.varDir, `ab-${i}`), regione: data.regione, ats: data.ats, precompress: false })
	)
);
const browsers = await Promise.all(variants.map(() => launchBrowser()));
const results: SessionResult[][] = variants.map(() => []);
const colds: SessionResult[][] = variants.map(() => []);
try {
	for (let r = 0; r < Number(values.cold); r++) {
		for (const i of r % 2 ? [1, 0] : [0, 1]) {
			const fresh = await launchBrowser();
			try {
				await installRecorder(fresh.context);
				const { result } = await runSession(fresh.context, { appUrl: stacks[i].appURL + '/', fiscalCode: BENCH_REGIONE_CF });
				colds[i].push(result);
				log(`${variants[i].name} cold ${r + 1}: kpi ${result.first_kpi_ms?.toFixed(0)} chart ${result.first_chart_ms?.toFixed(0)} engine ${result.engine_ms?.toFixed(0)} interactive ${result.interactive_ms?.toFixed(0)}`);
			} finally {
				await fresh.close();
			}
		}
	}
	for (let i = 0; i < variants.length; i++) {
		await installRecorder(browsers[i].context);
		const first = await runSession(browsers[i].context, { appUrl: stacks[i].appURL + '/', fiscalCode: BENCH_REGIONE_CF });
		await runInteractions(first.page, stacks[i].appURL, () => undefined).catch((e: unknown) => log(`interactions: ${String(e).slice(0, 200)}`));
		await first.page.close();
	}
	for (let r = 0; r < Number(values.rounds); r++) {
		for (const i of r % 2 ? [1, 0] : [0, 1]) {
			const { page, result } = await runSession(browsers[i].context, { appUrl: stacks[i].appURL + '/', fiscalCode: BENCH_REGIONE_CF });
			await page.close();
			results[i].push(result);
			log(`${variants[i].name} ${r + 1}: engine ${result.engine_ms?.toFixed(0)} interactive ${result.interactive_ms?.toFixed(0)} kpi ${result.first_kpi_ms?.toFixed(0)}`);
		}
	}
	for (let i = 0; i < variants.length && colds[i].length; i++) {
		const m = (k: keyof SessionResult) => median(colds[i].map((x) => x[k] as number | null))?.toFixed(0);
		process.stdout.write(`${variants[i].name.padEnd(14)} cold: first_kpi ${m('first_kpi_ms')}  first_chart ${m('first_chart_ms')}  engine ${m('engine_ms')}  interactive ${m('interactive_ms')}  (medians of ${colds[i].length})\n`);
	}
	for (let i = 0; i < variants.length; i++) {
		const m = (k: keyof SessionResult) => median(results[i].map((x) => x[k] as number | null))?.toFixed(0);
		process.stdout.write(`${variants[i].name.padEnd(14)} engine_ms_warm ${m('engine_ms')}  interactive_ms_warm ${m('interactive_ms')}  first_kpi_ms_warm ${m('first_kpi_ms')}  (medians of ${results[i].length})\n`);
	}
} finally {
	await Promise.all(browsers.map((b) => b.close()));
	await Promise.all(stacks.map((s) => s.close()));
	if (!given) await rm(appB, { recursive: true, force: true });
}
