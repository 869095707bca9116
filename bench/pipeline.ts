/**
 * Pipeline benchmark: generate and build at national scale (~1.2M households a month).
 * `benchPipeline()` is called by bench/run.ts; `npx node bench/pipeline.ts [--scale F] [--history]`
 * runs it alone. Heavy: run rarely on the shared 2-core machine.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from '../data-pipeline/build.ts';
import { generate } from '../data-pipeline/generate.ts';
import { consoleLogger, silentLogger, type Logger } from '../data-pipeline/log.ts';
import { addMonths, FIRST_MONTH, lastCompleteMonth } from '../data-pipeline/months.ts';
import { loadComuniJson } from '../data-pipeline/registry.ts';

export interface BenchPipelineOptions {
	/** Fraction of the national volume (1 = ~1.2M households a month). */
	scale?: number;
	/** Also run the whole history 2019-04 → last month (slow). */
	history?: boolean;
	log?: Logger;
}

/** Returns seconds and rows/s of each step, flat, for bench/run.ts. */
export async function benchPipeline(opts: BenchPipelineOptions = {}): Promise<Record<string, number>> {
	const scale = opts.scale ?? 1;
	const log = opts.log ?? silentLogger;
	const registry = loadComuniJson();
	const work = mkdtempSync(join(tmpdir(), 'bench-pipeline-'));
	const out: Record<string, number> = {};
	try {
		const last = lastCompleteMonth();
		const run = async (name: string, from: string, to: string) => {
			const md = join(work, `${name}-md`);
			const g = await generate({ out: md, registry, from, to, scale, seed: 7, log });
			out[`${name}_generate_s`] = g.seconds;
			out[`${name}_generate_rows_per_s`] = Math.round(g.rows / g.seconds);
			const ex = join(work, `${name}-extracts`);
			const b = await build({ microdata: md, out: ex, registry, syntheticMicrodata: true, lastMonth: last, log });
			out[`${name}_households`] = b.households;
			out[`${name}_build_s`] = b.seconds.total ?? 0;
			out[`${name}_build_rows_per_s`] = Math.round(b.households / (b.seconds.total ?? 1));
			out[`${name}_bytes`] = b.bytes;
			return { md, ex };
		};
		// (a) 12 months, then the time to add one month to that publication
		const first = addMonths(last, -12);
		const a = await run('months12', first, addMonths(last, -1));
		const extra = join(work, 'extra');
		await generate({ out: extra, registry, from: last, to: last, scale, seed: 7, log });
		mkdirSync(a.md, { recursive: true });
		for (const f of readdirSync(extra)) copyFileSync(join(extra, f), join(a.md, f));
		const t = performance.now();
		await build({ microdata: a.md, out: a.ex, registry, syntheticMicrodata: true, lastMonth: last, log });
		out.add_one_month_s = (performance.now() - t) / 1000;
		rmSync(a.md, { recursive: true, force: true });
		// (b) the whole history
		if (opts.history) await run('history', FIRST_MONTH, last);
		return out;
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const { values } = parseArgs({ options: { scale: { type: 'string' }, history: { type: 'boolean' } } });
	const r = await benchPipeline({ scale: Number(values.scale ?? 1), history: values.history, log: consoleLogger });
	console.log(JSON.stringify(r, null, 1));
}
