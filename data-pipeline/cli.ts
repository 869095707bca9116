/**
 * The publisher's command line: `npm run pipeline -- <generate|build|verify> ...`.
 * Exit codes: 0 success, 1 failure (a bug or a failed verification), 2 bad input or usage.
 */
import { readSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { build } from './build.ts';
import { parseCalibrationCsv } from './calibrate.ts';
import { generate } from './generate.ts';
import { consoleLogger } from './log.ts';
import { FIRST_MONTH, isMonth, lastCompleteMonth } from './months.ts';
import { InputError } from './problems.ts';
import { loadComuniJson, loadRegistryFile } from './registry.ts';
import { formatBuildReport } from './report.ts';
import { verifyPublished } from './verify.ts';

const USAGE = `Usage:
  npm run pipeline -- generate --out DIR [--from YYYY-MM] [--to YYYY-MM] [--scale F] [--seed N] [--calibrate CSV] [--single-file]
  npm run pipeline -- build --microdata DIR --out EXTRACTS_DIR [--ats-map CSV] [--boundaries TOPOJSON] [--keep N] [--synthetic] [--registry JSON] [--last-month YYYY-MM] [--no-cache]
  npm run pipeline -- verify EXTRACTS_DIR`;

class UsageError extends Error {}

function month(value: string | undefined, fallback: string, flag: string): string {
	const m = value ?? fallback;
	if (!isMonth(m)) throw new UsageError(`${flag} must be YYYY-MM, got ${JSON.stringify(m)}`);
	return m;
}

async function main(argv: string[]): Promise<void> {
	const [command, ...rest] = argv;
	const log = consoleLogger;
	if (command === 'generate') {
		const { values } = parseArgs({ args: rest, options: { out: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, scale: { type: 'string' }, seed: { type: 'string' }, calibrate: { type: 'string' }, 'single-file': { type: 'boolean' } } });
		if (!values.out) throw new UsageError('generate needs --out DIR');
		const scale = Number(values.scale ?? 1);
		const seed = Number(values.seed ?? 1);
		if (!(scale > 0) || !Number.isInteger(seed)) throw new UsageError('--scale must be > 0 and --seed an integer');
		const registry = loadComuniJson();
		const calibration = values.calibrate ? parseCalibrationCsv(values.calibrate, registry) : undefined;
		if (calibration) for (const line of calibration.report) log.info(line);
		const r = await generate({ out: values.out, registry, from: month(values.from, FIRST_MONTH, '--from'), to: month(values.to, lastCompleteMonth(), '--to'), scale, seed, calibration, singleFile: values['single-file'], log });
		log.stage('generate', `${r.months} months, ${r.rows.toLocaleString('en')} household-months, ${r.files.length} files, ${Math.round(r.rows / r.seconds).toLocaleString('en')} rows/s`, r.seconds);
	} else if (command === 'build') {
		const { values } = parseArgs({ args: rest, options: { microdata: { type: 'string' }, out: { type: 'string' }, 'ats-map': { type: 'string' }, boundaries: { type: 'string' }, keep: { type: 'string' }, synthetic: { type: 'boolean' }, registry: { type: 'string' }, 'last-month': { type: 'string' }, 'no-cache': { type: 'boolean' } } });
		if (!values.microdata || !values.out) throw new UsageError('build needs --microdata DIR and --out EXTRACTS_DIR');
		const keep = values.keep === undefined ? undefined : Number(values.keep);
		if (keep !== undefined && !(Number.isInteger(keep) && keep >= 1)) throw new UsageError('--keep must be an integer ≥ 1');
		const report = await build({ microdata: values.microdata, out: values.out, registry: values.registry ? loadRegistryFile(values.registry) : loadComuniJson(), atsMap: values['ats-map'], boundaries: values.boundaries, keep, syntheticMicrodata: values.synthetic, lastMonth: values['last-month'] ? month(values['last-month'], '', '--last-month') : undefined, cache: !values['no-cache'], log, beforePublish: holdBeforePublish() });
		log.info(formatBuildReport(report));
	} else if (command === 'verify') {
		const dir = rest[0];
		if (!dir) throw new UsageError('verify needs EXTRACTS_DIR');
		const r = await verifyPublished(dir);
		log.info(`verify: version ${r.version} OK (${r.files} files, ${r.rows.toLocaleString('en')} rows checked)`);
	} else {
		throw new UsageError(command ? `Unknown command ${JSON.stringify(command)}` : 'No command');
	}
}

main(process.argv.slice(2)).catch((e: unknown) => {
	if (e instanceof InputError) {
		console.error(`error: ${e.message}\nNothing was published; the previous version (if any) is still served.`);
		process.exit(2);
	}
	if (e instanceof UsageError) {
		console.error(`error: ${e.message}\n${USAGE}`);
		process.exit(2);
	}
	console.error(`error: ${(e as Error).stack ?? e}\nNothing was published; the previous version (if any) is still served.`);
	process.exit(1);
});

/**
 * PIPELINE_HOLD_BEFORE_PUBLISH=1 (tests): verified, the build says "[hold]" and waits for a byte on
 * its standard input before it publishes, so a test can kill it at that point for sure (a signal
 * sent on seeing "[verify]" raced the publish, a few milliseconds later).
 */
function holdBeforePublish(): (() => void) | undefined {
	if (process.env.PIPELINE_HOLD_BEFORE_PUBLISH !== '1') return undefined;
	return () => {
		process.stderr.write('[hold] verified, waiting before publish\n');
		const byte = Buffer.alloc(1);
		for (;;) {
			try {
				readSync(0, byte, 0, 1, null);
				return;
			} catch (e) {
				if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
				Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
			}
		}
	};
}
