/**
 * One step of the pipeline benchmark in its own process, so each step's peak RSS is its own:
 * `node bench/pipeline-step.ts '<json>'` with `{ "step": "generate" | "build", ...options }`.
 * Prints one JSON line on stdout: the step's result, wall seconds and peak RSS (MB).
 */
import { build } from '../data-pipeline/build.ts';
import { defaultMemoryLimit } from '../data-pipeline/db.ts';
import { generate } from '../data-pipeline/generate.ts';
import { consoleLogger, silentLogger } from '../data-pipeline/log.ts';
import { loadComuniJson } from '../data-pipeline/registry.ts';

const args = JSON.parse(process.argv[2] ?? '{}') as { step: 'generate' | 'build'; verbose?: boolean } & Record<string, unknown>;
const log = args.verbose ? consoleLogger : silentLogger;
const registry = loadComuniJson();
const t = performance.now();
let result: Record<string, unknown>;
if (args.step === 'generate') {
	const r = await generate({ out: String(args.out), registry, from: String(args.from), to: String(args.to), scale: Number(args.scale), seed: Number(args.seed), log });
	result = { rows: r.rows, months: r.months };
} else {
	const r = await build({ microdata: String(args.microdata), out: String(args.out), registry, syntheticMicrodata: true, lastMonth: String(args.lastMonth), cache: args.cache !== false, keep: Number(args.keep ?? 1), log });
	result = { households: r.households, householdsRead: r.householdsRead, recomputed: r.recomputedMonths.length, months: r.months.count, bytes: r.bytes, files: r.files, stages: r.seconds };
}
const seconds = (performance.now() - t) / 1000;
const usage = process.resourceUsage();
// CPU seconds (user + system) say how much work a step was, whatever else the machine runs
const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
console.log(JSON.stringify({ ...result, seconds, cpuSeconds, peakRssMb: Math.round(usage.maxRSS / 1024), memoryLimit: defaultMemoryLimit() }));
