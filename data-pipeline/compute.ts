/**
 * Validate → aggregate → suppress, month by month where it pays: months whose inputs, rules
 * and territories are unchanged come from the month cache (cache.ts); only the other months'
 * files are read, validated (errors still name file, row and field), aggregated and
 * suppressed, then cached. Leaves `cells` and `sc` for every month, as a full build would.
 */
import { basename } from 'node:path';
import type { AtsMap } from './ats-map.ts';
import { aggregate, assembleCells, MONTH_CELL_COLUMNS, scanMicrodata } from './aggregate.ts';
import { contextKey, findEntry, fingerprintInputs, monthKey, writeEntries, type InputFile } from './cache.ts';
import { sqlString, type Db } from './db.ts';
import { timed, type Logger } from './log.ts';
import { readMicrodata, type Scan } from './read-microdata.ts';
import type { Registry } from './registry.ts';
import { suppress } from './suppress.ts';
import { checkMonths, rowFaultSql, validateMicrodata } from './validate.ts';

/** Months aggregated and suppressed together. */
const BATCH = 12;

export interface ComputeOptions {
	root: string;
	files: string[];
	registry: Registry;
	ats: AtsMap;
	lastMonth: string;
	/** false: ignore cached months and the input index (they are rewritten). */
	useCache: boolean;
	log: Logger;
	seconds: Record<string, number>;
}

export interface ComputeResult {
	months: string[];
	/** Household-months of every month (read or cached). */
	households: number;
	/** Household-months read and validated in this run. */
	rowsRead: number;
	recomputed: string[];
	/** Each month's cache key. */
	keys: Map<string, string>;
	inputs: InputFile[];
	/** The cache entries of every month of this publication (for pruning). */
	entries: string[];
	suppressed: { primary: number; secondary: number };
	cells: number;
}

/** The months each file holds, for files a previous run has not recorded (one scan of `md`). */
async function discoverMonths(db: Db, inputs: InputFile[]): Promise<void> {
	const rows = await db.all<{ file: string; months: string[] }>(
		`SELECT file, list(DISTINCT strftime(month, '%Y-%m') ORDER BY strftime(month, '%Y-%m')) FILTER (WHERE month IS NOT NULL) AS months FROM md GROUP BY file`
	);
	const byName = new Map(rows.map((r) => [r.file, r.months ?? []]));
	for (const i of inputs) if (!i.months) i.months = byName.get(basename(i.file)) ?? [];
}

export async function computeMonths(db: Db, o: ComputeOptions): Promise<ComputeResult> {
	const { log, seconds } = o;
	const [plan, tp] = await timed(async () => {
		const context = contextKey(o.registry, o.ats);
		const inputs = fingerprintInputs(o.root, o.files, o.useCache);
		// New or changed files are read first: their months decide which other files are needed.
		const unknown = inputs.filter((i) => !i.months).map((i) => i.file);
		let scan: Scan | undefined;
		if (unknown.length) {
			scan = await readMicrodata(db, unknown);
			await discoverMonths(db, inputs);
		}
		const holders = new Map<string, InputFile[]>();
		for (const i of inputs) for (const m of i.months!) holders.set(m, [...(holders.get(m) ?? []), i]);
		const keys = new Map([...holders].map(([m, fs]) => [m, monthKey(context, m, fs.map((f) => f.sha256))]));
		const cached = new Map<string, string>();
		for (const [m, key] of keys) {
			const entry = o.useCache && m <= o.lastMonth ? findEntry(o.root, m, key) : null;
			if (entry) cached.set(m, entry);
		}
		const dirty = [...keys.keys()].filter((m) => !cached.has(m)).sort();
		const needed = inputs.filter((i) => i.months!.some((m) => !cached.has(m)) || !i.months!.length).map((i) => i.file);
		let read = unknown;
		if (needed.some((f) => !unknown.includes(f))) {
			read = [...new Set([...unknown, ...needed])];
			scan = await readMicrodata(db, read);
		}
		const readSet = new Set(read);
		// the read files holding a month: the duplicate check runs month by month over them
		const monthScan = (m: string) => scan!((holders.get(m) ?? []).map((i) => i.file).filter((f) => readSet.has(f)));
		return { inputs, keys, cached, dirty, readCount: read.length, monthScan };
	});
	seconds.plan = tp;
	const { inputs, keys, cached, dirty } = plan;
	log.stage('plan', `${o.files.length} input files (${plan.readCount} to read), ${keys.size} months: ${cached.size} reused from the cache, ${dirty.length} to compute${dirty.length ? ` (${summarize(dirty)})` : ''}`, tp);

	let rowsRead = 0;
	let months = [...keys.keys()].sort();
	if (dirty.length || plan.readCount) {
		const [checked, tv] = await timed(async () => {
			await scanMicrodata(db, rowFaultSql());
			return validateMicrodata(db, o.lastMonth, [...cached.keys()], plan.monthScan);
		});
		rowsRead = checked.rows;
		months = checked.months;
		log.stage('validate', `${plan.readCount} files, ${checked.rows.toLocaleString('en')} household-months, ${checked.months[0]} … ${checked.months.at(-1)}`, (seconds.validate = tv));
		if (!dirty.length) await db.run(`DROP TABLE mdg`);
	} else {
		months = checkMonths(months);
	}
	if (dirty.length) {
		// Suppression lies within a month × measure: months go in batches, so the working
		// tables stay small whatever the history's length (same result as all at once).
		let [ta, ts, rows, primary, secondary, passes] = [0, 0, 0, 0, 0, 0];
		for (let i = 0; i < dirty.length; i += BATCH) {
			const batch = dirty.slice(i, i + BATCH);
			const [agg, t1] = await timed(() => aggregate(db, batch));
			const [sup, t2] = await timed(() => suppress(db));
			[ta, ts, rows, primary, secondary, passes] = [ta + t1, ts + t2, rows + agg.cells, primary + sup.primaryCells, secondary + sup.secondaryCells, Math.max(passes, sup.passes)];
			const cols = MONTH_CELL_COLUMNS.map((c) => (c === 'pm' || c === 'sm' ? `s.${c}` : `c.${c}`)).join(', ');
			await db.run(`${i === 0 ? 'CREATE OR REPLACE TABLE monthcells AS' : 'INSERT INTO monthcells'} SELECT ${cols} FROM cells c JOIN sc s USING (key) ORDER BY c.month`);
			await db.run(`DROP TABLE cells; DROP TABLE sc`);
		}
		await db.run(`DROP TABLE mdg`);
		log.stage('aggregate', `${dirty.length} months → ${rows.toLocaleString('en')} rows`, (seconds.aggregate = ta));
		log.stage('suppress', `${primary.toLocaleString('en')} primary, ${secondary.toLocaleString('en')} secondary cells (≤ ${passes} passes)`, (seconds.suppress = ts));
	}
	const [written, tc] = await timed(() => writeEntries(db, o.root, 'monthcells', new Map(dirty.map((m) => [m, keys.get(m)!]))));
	const [assembled, tas] = await timed(async () => {
		const fromCache = `SELECT ${MONTH_CELL_COLUMNS.join(', ')} FROM read_parquet([${[...cached.values()].map(sqlString).join(', ')}])`;
		if (cached.size) await db.run(dirty.length ? `INSERT INTO monthcells ${fromCache}` : `CREATE OR REPLACE TABLE monthcells AS ${fromCache}`);
		return assembleCells(db, months);
	});
	seconds.cache = tc + tas;
	log.stage('cache', `${written.length} months written, ${cached.size} read; ${assembled.cells.toLocaleString('en')} rows in all`, seconds.cache);
	const [s] = await db.all<{ households: bigint; p: bigint; s: bigint }>(
		`SELECT sum(nuclei) FILTER (WHERE tid = (SELECT tid FROM territories WHERE territory_id = 'it')) AS households,
			sum(bit_count(pm)) AS p, sum(bit_count(sm & ~pm)) AS s FROM monthcells`
	);
	return {
		months,
		households: Number(s!.households ?? 0),
		rowsRead,
		recomputed: dirty,
		keys,
		inputs,
		entries: [...written, ...cached.values()],
		suppressed: { primary: Number(s!.p ?? 0), secondary: Number(s!.s ?? 0) },
		cells: assembled.cells
	};
}

/** `2019-04 … 2019-06, 2024-02` */
function summarize(months: string[]): string {
	return months.length > 4 ? `${months[0]} … ${months.at(-1)}` : months.join(', ');
}
