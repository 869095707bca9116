/**
 * The ATS and Comune files of a version (~8,500 small files) against the canonical rows
 * (italia.parquet's, and the ATS and Comune rows of the Regione files, which DuckDB decoded and
 * verify checked). Each file is decoded by the pipeline's Parquet reader (parquet-reader.ts):
 * DuckDB costs 1–2 ms per file however few its rows (decision 0027). Every row group read must
 * hold exactly the canonical rows of the file's territories for its months, in the file's
 * order (territory_id, measure, month within a row group), value for value; the row groups
 * must cover the period without gap or overlap; `within` must name the file's Regione (and a
 * Comune's ATS). With `firstGroup` (a build that only added months), the row groups before it
 * are the previous version's, byte for byte (verify-previous.ts), and are not read. The files
 * are shared among worker threads (verify-scoped-worker.ts) reading the canonical rows in place.
 */
import { readFileSync } from 'node:fs';
import { EXTRACT_COLUMNS } from '../contracts/extract.ts';
import type { ManifestFile } from '../contracts/manifest.ts';
import type { Db } from './db.ts';
import { footerOf, rowGroupsOfFooter } from './parquet-footer.ts';
import { readRowGroups, type DecodedColumn } from './parquet-reader.ts';
import { inWorkerThreads } from './workers.ts';
import { addMonths, dateOfDay, dayOfMonth, monthOfDay } from './months.ts';

const STRINGS = ['territory_id', 'level', 'name', 'parent_id'] as const;
const NUMBERS = EXTRACT_COLUMNS.filter((c) => c.type === 'INTEGER' || c.type === 'DOUBLE').map((c) => c.name);
const LISTS = EXTRACT_COLUMNS.filter((c) => c.type === 'VARCHAR[]').map((c) => c.name);

/**
 * The canonical rows in columns, sorted by territory_id, measure, month: numbers on
 * SharedArrayBuffers (db.numbers), so the worker threads read them without a copy.
 */
export interface Canonical {
	territories: { id: string; level: string; name: string; parent: string | null; start: number; end: number }[];
	measures: string[];
	/** index into `measures`, per row */
	measure: Float64Array;
	day: Float64Array;
	numbers: Record<string, Float64Array>;
	/** the distinct flag lists, and per list column the index of each row's list */
	listValues: (string[] | null)[];
	lists: Record<string, Float64Array>;
}

/** Reads table `t` (verify's canonical rows) into columns. */
async function canonical(db: Db): Promise<Canonical> {
	const meta = await db.all<{ territory_id: string; level: string; name: string; parent_id: string | null; n: bigint }>(
		`SELECT territory_id, any_value(level) AS level, any_value(name) AS name, any_value(parent_id) AS parent_id, count(*) AS n FROM t GROUP BY territory_id ORDER BY territory_id`
	);
	let at = 0;
	const territories = meta.map((m) => {
		const t = { id: m.territory_id, level: m.level, name: m.name, parent: m.parent_id, start: at, end: at + Number(m.n) };
		at = t.end;
		return t;
	});
	const order = 'ORDER BY territory_id, measure, month';
	// measures and flag lists as ids: numbers only cross from DuckDB (1.6 M rows at national scale)
	await db.run(`CREATE OR REPLACE TEMP TABLE lists_v AS SELECT row_number() OVER (ORDER BY l) - 1 AS id, l FROM (${LISTS.map((n) => `SELECT DISTINCT ${n} AS l FROM t`).join(' UNION ')})`);
	const listValues = (await db.all<{ l: unknown }>(`SELECT l FROM lists_v ORDER BY id`)).map((r) => asList(r.l));
	const measures = (await db.all<{ m: string }>(`SELECT DISTINCT measure AS m FROM t ORDER BY m`)).map((r) => r.m);
	const cols = await db.numbers(
		`SELECT month - DATE '1970-01-01' AS day, list_position([${measures.map((m) => `'${m}'`).join(', ')}], measure) - 1 AS ms, ${NUMBERS.join(', ')}, ${LISTS.map((n, k) => `l${k}.id`).join(', ')}
		FROM t ${LISTS.map((n, k) => `LEFT JOIN lists_v l${k} ON l${k}.l IS NOT DISTINCT FROM t.${n}`).join(' ')} ${order}`
	);
	return {
		territories,
		measures,
		measure: cols[1]!,
		day: cols[0]!,
		numbers: Object.fromEntries(NUMBERS.map((name, k) => [name, cols[2 + k]!])),
		listValues,
		lists: Object.fromEntries(LISTS.map((name, k) => [name, cols[2 + NUMBERS.length + k]!]))
	};
}

const asList = (v: unknown) => (v == null ? null : ((v as { items?: string[] }).items ?? (v as string[])));

const sameList = (a: string[] | null, b: string[] | null) => a === b || (!!a && !!b && a.length === b.length && a.every((x, i) => x === b[i]));

/** One scoped file to check: its manifest entry, where it is, the first row group to read. */
export interface ScopedJob {
	file: ManifestFile;
	path: string;
	from: number;
	/** its place among the files: faults are reported in that order */
	k: number;
}

/** What a share of the files gave: rows read, and each fault with the index of its job. */
export interface ShareResult {
	read: number;
	faults: { job: number; message: string }[];
}

/**
 * Checks every scoped file (ATS and Comune) of `files`; `path` resolves a manifest path,
 * `firstGroup` gives the first row group to read of each (default 0), `period` the first and
 * last day of the published months; `alongside` runs on the main thread (and may query `db`)
 * while the workers read. The files are dealt to worker threads (workers.ts;
 * PIPELINE_VERIFY_WORKERS). Returns the rows read; faults (the first 10) go to `faults`.
 */
export async function checkScopedFiles(
	db: Db,
	files: ManifestFile[],
	path: (f: ManifestFile) => string,
	period: { first: number; last: number },
	faults: string[],
	firstGroup: (f: ManifestFile) => number = () => 0,
	alongside?: () => Promise<void>
): Promise<number> {
	const c = await canonical(db);
	const jobs = files.map((file, k) => ({ file, path: path(file), from: firstGroup(file), k }));
	const checking = inWorkerThreads<ScopedJob, ShareResult>(new URL('./verify-scoped-worker.ts', import.meta.url), jobs, (share) => ({ canonical: c, jobs: share, period }), 'PIPELINE_VERIFY_WORKERS');
	// the main thread's own checks (verify.ts: the summaries) while the workers read the files
	const [settled, other] = await Promise.allSettled([checking, alongside?.()]);
	if (settled.status === 'rejected') throw settled.reason;
	if (other.status === 'rejected') throw other.reason;
	const results = settled.value;
	const all = results.flatMap((r) => r.faults).sort((a, b) => a.job - b.job);
	faults.push(...all.slice(0, 10).map((f) => f.message));
	if (all.length > 10) faults.push(`… and ${all.length - 10} more faults in ATS and Comune files`);
	return results.reduce((sum, r) => sum + r.read, 0);
}

/** Checks a share of the scoped files against `c` (in a worker thread: verify-scoped-worker.ts). */
export function checkShare(c: Canonical, jobs: (ScopedJob)[], period: { first: number; last: number }): ShareResult {
	const byId = new Map(c.territories.map((t, k) => [t.id, k]));
	const comuniOf = new Map<string, number[]>();
	c.territories.forEach((t, k) => {
		if (t.level === 'comune' && t.parent !== null) comuniOf.set(t.parent, [...(comuniOf.get(t.parent) ?? []), k]);
	});
	const result: ShareResult = { read: 0, faults: [] };
	const regionOf = (k: number): string | undefined => {
		const t = c.territories[k]!;
		if (t.level === 'regione') return t.id;
		const p = t.parent === null ? undefined : byId.get(t.parent);
		return p === undefined ? undefined : regionOf(p);
	};
	for (const { file: f, path, from, k: job } of jobs) {
		const fault = (message: string) => result.faults.push({ job, message });
		const own = byId.get(f.scope);
		if (own === undefined) {
			fault(`${f.path}: no canonical rows for scope ${f.scope}`);
			continue;
		}
		const t = c.territories[own]!;
		const region = regionOf(own);
		const within = t.level === 'comune' ? [region, t.parent] : [t.parent];
		if (within.join(',') !== f.within.join(',')) fault(`within does not match the file's own rows: ${JSON.stringify({ path: f.path, within: f.within, expected: within })}`);
		// the file's territories, in territory_id order: itself, an ATS's Comuni, its Regione, Italia
		const ks = [own, ...(t.level === 'ats' ? (comuniOf.get(f.scope) ?? []) : []), byId.get(region ?? ''), byId.get('it')]
			.filter((k): k is number => k !== undefined)
			.sort((a, b) => (c.territories[a]!.id < c.territories[b]!.id ? -1 : 1));
		let footer: ReturnType<typeof rowGroupsOfFooter>;
		let decoded: { rows: number; names: string[]; columns: DecodedColumn[] };
		try {
			const bytes = readFileSync(path);
			footer = rowGroupsOfFooter(footerOf(bytes));
			decoded = readRowGroups(bytes, from);
		} catch (e) {
			fault(`${f.path}: unreadable (${(e as Error).message})`);
			continue;
		}
		const groups = footer.groups;
		if (footer.rows !== f.rows) fault(`row count differs from the manifest: ${JSON.stringify({ path: f.path, rows: f.rows, footer: footer.rows })}`);
		// the row groups cover the period: consecutive month ranges from the first month to the last
		const ranges = groups.map((g) => g.months);
		const covered = ranges.every((r, i) => r && (i === 0 ? r.min === period.first : nextMonth(ranges[i - 1]!.max) === r.min)) && ranges.at(-1)?.max === period.last;
		if (!covered) {
			fault(`${f.path}: row groups do not cover ${dateOfDay(period.first)} … ${dateOfDay(period.last)} month after month`);
			continue;
		}
		const col = (name: string) => decoded.columns[decoded.names.indexOf(name)];
		if (EXTRACT_COLUMNS.some((x) => !col(x.name))) {
			fault(`${f.path}: columns ${decoded.names.join(', ')}`);
			continue;
		}
		// the expected rows, row group after row group: canonical row indices
		const expected: number[] = [];
		for (const g of groups.slice(from))
			for (const k of ks) {
				const tt = c.territories[k]!;
				for (let i = tt.start; i < tt.end; i++) if (c.day[i]! >= g.months!.min && c.day[i]! <= g.months!.max) expected.push(i);
			}
		result.read += decoded.rows;
		if (decoded.rows !== expected.length || !sameRows(c, byId, expected, decoded.columns, decoded.names)) {
			fault(`rows differ from the same rows in italia/regione files (a value changed, a row missing or outside the scope, or out of order): ${JSON.stringify({ path: f.path, expected_rows: expected.length, rows: decoded.rows })}`);
		}
	}
	return result;
}

/** Whether the decoded rows are the canonical rows `expected`, in that order, value for value. */
function sameRows(c: Canonical, byId: Map<string, number>, expected: number[], columns: DecodedColumn[], names: string[]): boolean {
	const get = (name: string) => columns[names.indexOf(name)]!;
	const ids = get('territory_id') as (string | null)[];
	const [, level, name, parent] = STRINGS.map((s) => get(s) as (string | null)[]);
	const measure = get('measure') as (string | null)[];
	const month = get('month') as Float64Array;
	for (let r = 0; r < expected.length; r++) {
		const i = expected[r]!;
		const k = byId.get(ids[r] ?? '');
		const t = k === undefined ? undefined : c.territories[k]!;
		if (!t || i < t.start || i >= t.end) return false;
		if (level![r] !== t.level || name![r] !== t.name || parent![r] !== t.parent || measure[r] !== c.measures[c.measure[i]!] || month[r] !== c.day[i]) return false;
	}
	for (const name of NUMBERS) {
		const got = get(name) as Float64Array;
		const want = c.numbers[name]!;
		for (let r = 0; r < expected.length; r++) {
			const a = got[r]!;
			const b = want[expected[r]!]!;
			if (a !== b && (a === a || b === b)) return false;
		}
	}
	for (const name of LISTS) {
		const got = get(name) as (string[] | null)[];
		const want = c.lists[name]!;
		for (let r = 0; r < expected.length; r++) if (!sameList(got[r]!, c.listValues[want[expected[r]!]!]!)) return false;
	}
	return true;
}

/** The first day of the month after the month of day `d`. */
const nextMonth = (d: number) => dayOfMonth(addMonths(monthOfDay(d), 1));
