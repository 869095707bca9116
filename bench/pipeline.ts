/**
 * Pipeline benchmark at national scale (~1.2M households a month), each step in its own
 * process (bench/pipeline-step.ts) so its peak RSS is measured alone:
 *
 * (a) 12 months up to the last complete month: generate (fresh), build without cache, then
 *     add the next month (incremental);
 * (b) the whole history 2019-04 → last complete month: build without cache, then add the
 *     next month (incremental: the production case).
 * The "next month" (the current one) is generated once beside the history, as if complete.
 *
 * The history's microdata are generated once into `var/bench-microdata/scale-<F>/`
 * (or `$PIPELINE_BENCH_MICRODATA`) and reused; only missing months are generated.
 * `npx node bench/pipeline.ts [--scale F] [--history] [--verbose]` runs it alone. Heavy.
 * Step times are measured inside the step (time waiting for PIPELINE_BENCH_LOCK excluded).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sizeToMb } from '../data-pipeline/db.ts';
import type { Logger } from '../data-pipeline/log.ts';
import { addMonths, FIRST_MONTH, lastCompleteMonth, monthRange } from '../data-pipeline/months.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface BenchPipelineOptions {
	/** Fraction of the national volume (1 = ~1.2M households a month). */
	scale?: number;
	/** Also run the whole history 2019-04 → last month. */
	history?: boolean;
	log?: Logger;
	/** Print each step's stage lines. */
	verbose?: boolean;
}

interface StepResult {
	seconds: number;
	cpuSeconds?: number;
	peakRssMb: number;
	memoryLimit: string;
	rows?: number;
	households?: number;
	householdsRead?: number;
	recomputed?: number;
	months?: number;
	bytes?: number;
	stages?: Record<string, number>;
}

function step(args: Record<string, unknown>, say: (s: string) => void): StepResult {
	// PIPELINE_BENCH_LOCK=FILE: each step waits for `flock FILE` (a machine shared with other heavy jobs)
	const lock = process.env.PIPELINE_BENCH_LOCK;
	const cmd = [join(ROOT, 'node_modules/.bin/node'), join(ROOT, 'bench/pipeline-step.ts'), JSON.stringify(args)];
	const out = execFileSync(lock ? 'flock' : cmd[0]!, lock ? [lock, ...cmd] : cmd.slice(1), {
		cwd: ROOT,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', args.verbose ? 'inherit' : 'pipe'],
		maxBuffer: 64 * 2 ** 20
	});
	const r = JSON.parse(out.trim().split('\n').at(-1)!) as StepResult;
	say(`${args.step} ${args.out}: ${r.seconds.toFixed(1)} s (CPU ${r.cpuSeconds?.toFixed(1)} s), peak RSS ${r.peakRssMb} MB${r.stages ? `, stages ${Object.entries(r.stages).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}` : ''}`);
	return r;
}

/** The history's microdata folder, with every month FIRST_MONTH … last; generates what is missing. */
function ensureHistory(scale: number, last: string, say: (s: string) => void, verbose: boolean): { dir: string; generate?: StepResult } {
	const dir = process.env.PIPELINE_BENCH_MICRODATA ?? join(ROOT, 'var', 'bench-microdata', `scale-${scale}`);
	mkdirSync(dir, { recursive: true });
	const record = join(dir, 'generate.json');
	const missing = monthRange(FIRST_MONTH, last).filter((m) => !existsSync(join(dir, `${m}.parquet`)));
	if (missing.length) {
		say(`generating ${missing.length} months of microdata into ${dir} (once; several minutes at scale 1)`);
		// months are independent for a seed: generating a sub-range gives the same files
		const g = step({ step: 'generate', out: dir, from: missing[0], to: missing.at(-1), scale, seed: 7, verbose }, say);
		if (missing.length === monthRange(FIRST_MONTH, last).length) writeFileSync(record, JSON.stringify({ ...g, to: last }));
		return { dir, generate: g };
	}
	return { dir, generate: existsSync(record) ? (JSON.parse(readFileSync(record, 'utf8')) as StepResult) : undefined };
}

/** A microdata folder of symlinks to `months` of the history. */
function subset(history: string, dir: string, months: string[]): string {
	mkdirSync(dir, { recursive: true });
	for (const m of months) if (!existsSync(join(dir, `${m}.parquet`))) symlinkSync(join(history, `${m}.parquet`), join(dir, `${m}.parquet`));
	return dir;
}

/** Seconds, rows/s and peak RSS (MB) of each step, flat, for bench/run.ts. */
export async function benchPipeline(opts: BenchPipelineOptions = {}): Promise<Record<string, number>> {
	const scale = opts.scale ?? 1;
	const say = (s: string) => opts.log?.info(`pipeline: ${s}`);
	const verbose = opts.verbose ?? false;
	const work = mkdtempSync(join(tmpdir(), 'bench-pipeline-'));
	const out: Record<string, number> = {};
	const put = (prefix: string, r: StepResult, rows?: number) => {
		out[`${prefix}_s`] = r.seconds;
		if (r.cpuSeconds) out[`${prefix}_cpu_s`] = r.cpuSeconds;
		if (rows) out[`${prefix}_rows_per_s`] = Math.round(rows / r.seconds);
		out[`${prefix}_peak_rss_mb`] = r.peakRssMb;
		// where a build's time went (plan, validate, aggregate, suppress, cache, write, verify)
		for (const [k, v] of Object.entries(r.stages ?? {})) if (k !== 'total') out[`${prefix}_${k}_s`] = v;
	};
	try {
		const last = lastCompleteMonth();
		const hist = ensureHistory(scale, last, say, verbose);

		// The month after the last complete one, generated apart: the "new month" of both runs.
		const next = addMonths(last, 1);
		const nextDir = `${hist.dir}-next`;
		if (!existsSync(join(nextDir, `${next}.parquet`))) step({ step: 'generate', out: nextDir, from: next, to: next, scale, seed: 7, verbose }, say);

		// (a) 12 months (generated afresh, timed), built without cache; then the next month added
		const m12 = join(work, 'months12-md');
		const g = step({ step: 'generate', out: m12, from: addMonths(last, -11), to: last, scale, seed: 7, verbose }, say);
		put('months12_generate', g, g.rows);
		const ex12 = join(work, 'months12-extracts');
		const b = step({ step: 'build', microdata: m12, out: ex12, lastMonth: last, cache: false, verbose }, say);
		out.duckdb_memory_limit_mb = sizeToMb(b.memoryLimit);
		out.months12_households = b.households!;
		put('months12_build', b, b.households);
		out.months12_bytes = b.bytes!;
		subset(nextDir, m12, [next]);
		put('months12_add_one_month', step({ step: 'build', microdata: m12, out: ex12, lastMonth: next, keep: 2, verbose }, say));
		// (nothing is deleted until the last timed step: on this machine's ext4, which has no
		// journal, creating files within ~60–360 s of deleting thousands scans the deleted
		// inodes (kernel `recently_deleted`) and costs up to ~1 ms a file; a monthly run is a
		// month after the previous prune. docs/decisions/0027, addendum of 27 Nov, afternoon.)

		// (b) the whole history, built without cache; then the next month added (the production case)
		if (opts.history) {
			if (hist.generate?.rows) put('history_generate', hist.generate, hist.generate.rows);
			const md = subset(hist.dir, join(work, 'history-md'), monthRange(FIRST_MONTH, last));
			const ex = join(work, 'history-extracts');
			const full = step({ step: 'build', microdata: md, out: ex, lastMonth: last, cache: false, verbose }, say);
			out.history_months = full.months!;
			out.history_households = full.households!;
			put('history_build', full, full.households);
			out.history_bytes = full.bytes!;
			subset(nextDir, md, [next]);
			// keep 2: the previous version stays (its prune, ~17,000 files deleted, is not the month's work)
			const add = step({ step: 'build', microdata: md, out: ex, lastMonth: next, keep: 2, verbose }, say);
			put('add_one_month', add);
			out.add_one_month_recomputed_months = add.recomputed!;
		}
		return out;
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const { values } = parseArgs({ options: { scale: { type: 'string' }, history: { type: 'boolean' }, verbose: { type: 'boolean' } } });
	const { consoleLogger } = await import('../data-pipeline/log.ts');
	const r = await benchPipeline({ scale: Number(values.scale ?? 1), history: values.history, verbose: values.verbose, log: consoleLogger });
	console.log(JSON.stringify(r, null, 1));
}
