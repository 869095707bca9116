/**
 * `npm run bench [-- --json] [--scale F] [--extracts DIR] [--runs N] [--only a,b] [--skip a,b] [--no-build]`:
 * the performance benchmark. Phases: pipeline, gateway, app (cold, warm, ATS, interactions),
 * naive, lighthouse. Progress goes to stderr; stdout gets the table, or with --json exactly
 * one JSON object. `--extracts DIR` measures the browser and gateway on a publication that
 * already exists (e.g. a full-scale history built by `npm run pipeline -- build`) instead of
 * building the demo at `--scale`. docs/benchmark.md says what each figure measures.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchApp } from './app.ts';
import { boundDuckDbMemory, ensureBenchData, buildAppCopy, type BenchData } from './data.ts';
import { runLighthouse } from './lighthouse.ts';
import { benchNaiveDesign } from './naive.ts';
import { formatTable, jsonObject, type Figures } from './report.ts';
import { startBenchStack, BENCH_REGIONE_CF } from './stack.ts';
import { median } from './stats.ts';

const PHASES = ['pipeline', 'gateway', 'app', 'naive', 'lighthouse'] as const;
type Phase = (typeof PHASES)[number];

const { values } = parseArgs({
	options: {
		json: { type: 'boolean', default: false },
		scale: { type: 'string', default: '1' },
		extracts: { type: 'string' },
		runs: { type: 'string', default: '5' },
		only: { type: 'string' },
		skip: { type: 'string' },
		'no-build': { type: 'boolean', default: false },
		regione: { type: 'string', default: 'r:03' }
	}
});
const scale = Number(values.scale);
const runs = Number(values.runs);
if (!(scale > 0) || !(runs >= 1)) throw new Error('--scale must be > 0 and --runs >= 1');
const only = values.only?.split(',');
const skip = values.skip?.split(',') ?? [];
for (const p of [...(only ?? []), ...skip]) if (!PHASES.includes(p as Phase)) throw new Error(`unknown phase ${p}: one of ${PHASES.join(', ')}`);
const wanted = (p: Phase) => (!only || only.includes(p)) && !skip.includes(p);
const log = (s: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

/** A sibling engineer's module (`bench/pipeline.ts`, `bench/gateway.ts`), when it exists. */
async function external(name: 'pipeline' | 'gateway', opts: Record<string, unknown>): Promise<Figures> {
	const file = new URL(`./${name}.ts`, import.meta.url);
	const mod = (await import(file.href).catch((error: unknown) => {
		log(`${name}: bench/${name}.ts not available (${error instanceof Error ? error.message : error})`);
		return null;
	})) as Record<string, (opts: Record<string, unknown>) => Promise<Record<string, unknown>>> | null;
	const fn = mod?.[name === 'pipeline' ? 'benchPipeline' : 'benchGateway'];
	if (!fn) return {};
	const out = await fn(opts);
	return Object.fromEntries(Object.entries(out).filter(([, v]) => typeof v === 'number' || v === null)) as Figures;
}

async function main(): Promise<void> {
	const figures: Figures = {};
	const others: Figures = {};
	const notes: string[] = [];
	if (wanted('pipeline')) {
		// Their Logger is an object; without one they stay silent. Memory bounded: the machine is shared.
		const restore = boundDuckDbMemory(path.join(os.tmpdir(), 'bench-pipeline-duckdb'));
		try {
			Object.assign(others, await external('pipeline', { scale, history: true }));
		} finally {
			restore();
		}
	}

	let data: BenchData | null = null;
	if (wanted('gateway') || wanted('app') || wanted('naive') || wanted('lighthouse')) {
		data = await ensureBenchData({ scale, extractsDir: values.extracts, regione: values.regione!, log });
	}
	if (wanted('gateway') && data) Object.assign(others, await external('gateway', { extractsDir: data.extractsDir, atsFile: data.atsFile, log }));

	if (data && (wanted('app') || wanted('lighthouse'))) {
		const appDir = await buildAppCopy({ rebuild: !values['no-build'], log });
		const stack = await startBenchStack({ appDir, extractsDir: data.extractsDir, varDir: data.varDir, regione: data.regione, ats: data.ats });
		try {
			if (wanted('app')) {
				const app = await benchApp({ appURL: stack.appURL, runs, log });
				Object.assign(figures, app.figures);
				notes.push(...app.notes);
			}
			if (wanted('lighthouse')) {
				const scores: number[] = [];
				for (let i = 0; i < Math.min(runs, 3); i++) {
					const lh = await runLighthouse({ appUrl: stack.appURL + '/', fiscalCode: BENCH_REGIONE_CF }).catch((error: unknown) => {
						log(`lighthouse: ${error instanceof Error ? error.message : error}`);
						return null;
					});
					if (lh) log(`lighthouse ${i + 1}: ${lh.performance} ${JSON.stringify(lh.metrics)}`);
					if (lh) scores.push(lh.performance);
				}
				figures.lighthouse_performance = median(scores);
			}
		} finally {
			await stack.close();
		}
	}

	if (wanted('naive') && data) {
		const naive = await benchNaiveDesign({ extractsDir: data.extractsDir, dir: data.naiveDir, regione: data.regione, runs, log });
		figures.naive_first_chart_ms = naive.first_chart_ms;
		figures.naive_bytes = naive.bytes;
	}
	const ours = figures.first_chart_ms_cold;
	figures.ratio_first_chart_vs_naive = ratio(figures.naive_first_chart_ms, ours);
	figures.ratio_bytes_vs_naive = ratio(figures.naive_bytes, figures.bytes_first_chart_cold);

	const json = JSON.stringify(jsonObject(figures, others));
	await mkdir('var/bench', { recursive: true });
	await writeFile('var/bench/last.json', JSON.stringify({ date: new Date().toISOString(), scale, extracts: values.extracts, runs, figures, others, notes }, null, '\t'));
	if (values.json) process.stdout.write(json + '\n');
	else process.stdout.write(formatTable(figures, others, { scale: values.extracts ? `extracts ${values.extracts}` : scale, runs, notes }) + '\n');
}

const ratio = (a: number | null | undefined, b: number | null | undefined): number | null =>
	a == null || b == null || b === 0 ? null : Math.round((a / b) * 10) / 10;

main().catch((error: unknown) => {
	process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});
