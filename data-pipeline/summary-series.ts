/**
 * Each territory's published series, as the first-view summaries hold it (contracts/summary.ts,
 * `SummaryFileTerritory`): read from a table of extract rows (the build's `extract`, verify's
 * rows decoded from the files), or from the summary files of the previous version (a build
 * that only adds months keeps their earlier months), and turned into the summaries' JSON.
 * One builder for the writer and for verify: the same numbers give the same text.
 */
import { MEASURES } from '../contracts/extract.ts';
import type { SummaryFile, SummaryFileTerritory } from '../contracts/summary.ts';
import type { Db } from './db.ts';

const VALUES = ['nuclei', 'persone', 'importo_medio', 'nuclei_per_1000'] as const;
type Value = (typeof VALUES)[number];

/**
 * Consecutive months of one measure (months since 2000-01 from `from`), the values of each,
 * and the offsets of the months whose `nuclei` (and the columns hidden with it) is null by
 * secondary suppression only. Kept as runs, the summaries' own shape: a build that adds a month
 * takes the previous version's runs whole (no value is copied one by one) and a run is written
 * with one `JSON.stringify` per column.
 */
interface Run {
	from: number;
	values: Record<Value, (number | null)[]>;
	secondary: number[];
}

/** One measure of a territory: its runs in month order, none adjacent to the next (each run is maximal). */
interface MeasureSeries {
	runs: Run[];
}

export interface TerritorySeries {
	id: string;
	level: string;
	parent: string | null;
	name: string;
	residenti: number;
	measures: Map<string, MeasureSeries>;
}

const monthIndex = (ym: string) => (Number(ym.slice(0, 4)) - 2000) * 12 + Number(ym.slice(5, 7)) - 1;
const monthText = (mi: number) => `${2000 + Math.floor(mi / 12)}-${String((mi % 12) + 1).padStart(2, '0')}`;
const MEASURE_NAMES = [...MEASURES].sort();
const lengthOf = (r: Run) => r.values.nuclei.length;

function measureOf(t: TerritorySeries, measure: string): MeasureSeries {
	let m = t.measures.get(measure);
	if (!m) t.measures.set(measure, (m = { runs: [] }));
	return m;
}

/** Appends `run` (months after the measure's last) to `m`, joined to its last run when the months follow on. */
function pushRun(m: MeasureSeries, run: Run): void {
	if (!lengthOf(run)) return;
	const last = m.runs.at(-1);
	if (!last || last.from + lengthOf(last) !== run.from) {
		m.runs.push(run);
		return;
	}
	const n = lengthOf(last);
	m.runs[m.runs.length - 1] = {
		from: last.from,
		values: Object.fromEntries(VALUES.map((v) => [v, last.values[v].concat(run.values[v])])) as Run['values'],
		secondary: last.secondary.concat(run.secondary.map((k) => k + n))
	};
}

/**
 * The series of every territory but the Province in `table` (extract columns), from month
 * `from` (`YYYY-MM`) on when given. Read as numbers: one query of typed columns, not row objects.
 * A row's `nuclei` is secondary when it is NULL and listed in `soppressi_secondari`
 * (`persone`, the mean and the rate share its suppression: suppress.ts `TIED_COLUMNS`).
 */
export async function seriesFromTable(db: Db, table: string, from?: string): Promise<Map<string, TerritorySeries>> {
	const since = from ? `AND month >= DATE '${from}-01'` : '';
	const meta = await db.all<{ territory_id: string; level: string; parent_id: string | null; name: string; residenti: number }>(
		`SELECT DISTINCT territory_id, level, parent_id, name, residenti FROM ${table} WHERE level <> 'provincia' ${since} ORDER BY territory_id`
	);
	const out = new Map<string, TerritorySeries>();
	const byK: TerritorySeries[] = [];
	for (const t of meta) {
		if (out.has(t.territory_id)) throw new Error(`${t.territory_id}: its name, level, parent or residents differ between rows`);
		const s: TerritorySeries = { id: t.territory_id, level: t.level, parent: t.parent_id, name: t.name, residenti: Number(t.residenti), measures: new Map() };
		out.set(t.territory_id, s);
		byK.push(s);
	}
	if (!meta.length) return out;
	const cols = await db.numbers(
		`WITH k AS (SELECT territory_id, row_number() OVER (ORDER BY territory_id) - 1 AS k FROM (SELECT DISTINCT territory_id FROM ${table} WHERE level <> 'provincia' ${since}))
		SELECT k.k, list_position([${MEASURE_NAMES.map((m) => `'${m}'`).join(', ')}], measure) - 1 AS ms, (year(month) - 2000) * 12 + month(month) - 1 AS mi, ${VALUES.join(', ')},
			CASE WHEN nuclei IS NULL AND list_contains(soppressi_secondari, 'nuclei') THEN 1 ELSE 0 END AS sec
		FROM ${table} JOIN k USING (territory_id) WHERE level <> 'provincia' ${since} ORDER BY k.k, ms, mi`
	);
	const [k, ms, mi] = cols as [Float64Array, Float64Array, Float64Array];
	const sec = cols[3 + VALUES.length]!;
	// rows i..j-1: one run (same territory and measure, consecutive months)
	for (let i = 0; i < k.length; ) {
		let j = i + 1;
		while (j < k.length && k[j] === k[i] && ms[j] === ms[i] && mi[j] === mi[j - 1]! + 1) j++;
		const values = {} as Run['values'];
		VALUES.forEach((v, c) => {
			const col = cols[3 + c]!;
			const a = new Array<number | null>(j - i);
			for (let r = i; r < j; r++) a[r - i] = col[r] === col[r] ? col[r]! : null;
			values[v] = a;
		});
		const secondary: number[] = [];
		for (let r = i; r < j; r++) if (sec[r] === 1) secondary.push(r - i);
		pushRun(measureOf(byK[k[i]!]!, MEASURE_NAMES[ms[i]!]!), { from: mi[i]!, values, secondary });
		i = j;
	}
	return out;
}

/**
 * The series of a summary file's territories (its own, and the `regioni` of Italia's and the
 * benchmark files), months before `before` (`YYYY-MM`). A file of summary schema 2 has no
 * `secondari`: read as none (a build reads only files of its own schema: build.ts `appendOnlyBase`).
 */
export function seriesFromSummary(text: string, before: string, into: Map<string, TerritorySeries>): void {
	const file = JSON.parse(text) as SummaryFile;
	const end = monthIndex(before);
	for (const t of [file.territory, ...(file.regioni ?? [])] as SummaryFileTerritory[]) {
		if (into.has(t.id)) continue;
		const s: TerritorySeries = { id: t.id, level: t.level, parent: null, name: t.name, residenti: t.residenti, measures: new Map() };
		for (const run of t.runs) {
			const first = monthIndex(run.from);
			// the run's months before `end`: the parsed arrays themselves when it ends before
			const n = Math.min(run.nuclei.length, end - first);
			if (n <= 0) {
				measureOf(s, run.measure);
				continue;
			}
			const whole = n === run.nuclei.length;
			const values = Object.fromEntries(VALUES.map((v) => [v, whole ? run[v] : run[v].slice(0, n)])) as Run['values'];
			pushRun(measureOf(s, run.measure), { from: first, values, secondary: (run.secondari ?? []).filter((k) => k < n) });
		}
		into.set(t.id, s);
	}
}

/** `earlier` followed by `later` (later months of the same territories; names, parents and residents from `later`); territories only in `later` as they are. */
export function appendSeries(earlier: Map<string, TerritorySeries>, later: Map<string, TerritorySeries>): Map<string, TerritorySeries> {
	const out = new Map<string, TerritorySeries>();
	for (const [id, t] of later) {
		const e = earlier.get(id);
		if (!e) {
			out.set(id, t);
			continue;
		}
		const merged: TerritorySeries = { ...t, measures: new Map() };
		for (const name of [...new Set([...e.measures.keys(), ...t.measures.keys()])].sort()) {
			const m = measureOf(merged, name);
			for (const part of [e.measures.get(name), t.measures.get(name)]) for (const run of part?.runs ?? []) pushRun(m, run);
		}
		out.set(id, merged);
	}
	return out;
}

/**
 * A territory's JSON in the summaries: runs of consecutive months, by measure, then month.
 * With `secondari` (summary schema 3), a run lists in `secondari` the offsets of its months
 * whose `nuclei` is suppressed as secondary (omitted when none).
 */
export function territoryJson(t: TerritorySeries, opts: { secondari?: boolean } = {}): string {
	const withSecondary = opts.secondari ?? true;
	const runs: string[] = [];
	for (const name of [...t.measures.keys()].sort()) {
		for (const run of t.measures.get(name)!.runs) {
			const arrays = VALUES.map((v) => `"${v}":${JSON.stringify(run.values[v])}`).join(',');
			const flags = withSecondary && run.secondary.length ? `,"secondari":[${run.secondary.join(',')}]` : '';
			runs.push(`{"measure":${JSON.stringify(name)},"from":"${monthText(run.from)}",${arrays}${flags}}`);
		}
	}
	return `{"id":${JSON.stringify(t.id)},"name":${JSON.stringify(t.name)},"level":${JSON.stringify(t.level)},"residenti":${t.residenti},"runs":[${runs.join(',')}]}`;
}
