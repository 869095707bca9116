/**
 * Each territory's published series, as the first-view summaries hold it (contracts/summary.ts,
 * `SummaryFileTerritory`): read from a table of extract rows (the build's `extract`, verify's
 * rows decoded from the files), or from the summary files of the previous version (a build
 * that only adds months keeps their earlier months), and turned into the summaries' JSON.
 * One builder for the writer and for verify: the same numbers give the same text.
 */
import { MEASURES } from '../contracts/extract.ts';
import type { SummaryFile, SummaryFileTerritory, SummaryRun } from '../contracts/summary.ts';
import type { Db } from './db.ts';

const VALUES = ['nuclei', 'persone', 'importo_medio', 'nuclei_per_1000'] as const;
type Value = (typeof VALUES)[number];

/**
 * Consecutive months of one measure (`n` months since 2000-01 from `from`), the values of each,
 * and the offsets of the months whose `nuclei` (and the columns hidden with it) is null by
 * secondary suppression only. Kept as runs, the summaries' own shape: a build that adds a month
 * takes a run of the previous version that ends before the months written again as its JSON
 * text (`text`, parsed only if a new month joins it), and writes a run with one
 * `JSON.stringify` per column.
 */
type Run = { from: number; n: number } & ({ text: string } | { values: Record<Value, (number | null)[]>; secondary: number[] });
type ParsedRun = Extract<Run, { values: unknown }>;

/** A run with its values (a run kept as text is parsed). */
function parsed(r: Run): ParsedRun {
	if (!('text' in r)) return r;
	const run = JSON.parse(r.text) as SummaryRun;
	return { from: r.from, n: r.n, values: Object.fromEntries(VALUES.map((v) => [v, run[v]])) as ParsedRun['values'], secondary: run.secondari ?? [] };
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

function measureOf(t: TerritorySeries, measure: string): MeasureSeries {
	let m = t.measures.get(measure);
	if (!m) t.measures.set(measure, (m = { runs: [] }));
	return m;
}

/** Appends `run` (months after the measure's last) to `m`, joined to its last run when the months follow on. */
function pushRun(m: MeasureSeries, run: Run): void {
	if (!run.n) return;
	const last = m.runs.at(-1);
	if (!last || last.from + last.n !== run.from) {
		m.runs.push(run);
		return;
	}
	const [a, b] = [parsed(last), parsed(run)];
	m.runs[m.runs.length - 1] = {
		from: a.from,
		n: a.n + b.n,
		values: Object.fromEntries(VALUES.map((v) => [v, a.values[v].concat(b.values[v])])) as ParsedRun['values'],
		secondary: a.secondary.concat(b.secondary.map((k) => k + a.n))
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
		const values = {} as ParsedRun['values'];
		VALUES.forEach((v, c) => {
			const col = cols[3 + c]!;
			const a = new Array<number | null>(j - i);
			for (let r = i; r < j; r++) a[r - i] = col[r] === col[r] ? col[r]! : null;
			values[v] = a;
		});
		const secondary: number[] = [];
		for (let r = i; r < j; r++) if (sec[r] === 1) secondary.push(r - i);
		pushRun(measureOf(byK[k[i]!]!, MEASURE_NAMES[ms[i]!]!), { from: mi[i]!, n: j - i, values, secondary });
		i = j;
	}
	return out;
}

/**
 * The series of a summary file's territories (its own, and the `regioni` of Italia's and the
 * benchmark files), months before `before` (`YYYY-MM`). A file of summary schema 2 has no
 * `secondari`: read as none (a build reads only files of its own schema: build.ts `appendOnlyBase`).
 * A run that ends before `before` is kept as its text in the file (see `Run`): the file is
 * scanned, not parsed whole, and each territory's header and each cut run parsed alone.
 */
export function seriesFromSummary(text: string, before: string, into: Map<string, TerritorySeries>): void {
	const end = monthIndex(before);
	// Text written by `territoryJson` (schema 3): `{"id":…,"residenti":N,"runs":[{"measure":…},…]}`.
	// No string holds an unescaped quote, so `{"id":"` and `{"measure":"` start objects; a run
	// holds no object, so its first `}` ends it. Anything else is parsed as JSON.
	const verbatim = text.startsWith(`{"schema_version":3,`);
	if (!verbatim) return seriesFromParsed(JSON.parse(text) as SummaryFile, end, into);
	for (let at = text.indexOf('{"id":"'); at >= 0; ) {
		const runsAt = text.indexOf('"runs":[', at);
		if (runsAt < 0) break; // the Comune's `ats` ({"id","name"}): no runs
		const head = JSON.parse(`${text.slice(at, runsAt)}"runs":[]}`) as SummaryFileTerritory;
		let next = runsAt + 8;
		const s: TerritorySeries = { id: head.id, level: head.level, parent: null, name: head.name, residenti: head.residenti, measures: new Map() };
		while (text.startsWith('{"measure":"', next)) {
			const close = text.indexOf('}', next);
			const runText = text.slice(next, close + 1);
			const measure = runText.slice(12, runText.indexOf('"', 12));
			const first = monthIndex(runText.slice(runText.indexOf('"from":"') + 8));
			const arrayAt = runText.indexOf('"nuclei":[') + 10;
			const array = runText.slice(arrayAt, runText.indexOf(']', arrayAt));
			const n = array === '' ? 0 : array.split(',').length;
			const m = measureOf(s, measure);
			if (first + n <= end) pushRun(m, { from: first, n, text: runText });
			else if (first < end) {
				const cut = parsed({ from: first, n, text: runText });
				const k = end - first;
				pushRun(m, { from: first, n: k, values: Object.fromEntries(VALUES.map((v) => [v, cut.values[v].slice(0, k)])) as ParsedRun['values'], secondary: cut.secondary.filter((o) => o < k) });
			}
			next = close + 1 + (text[close + 1] === ',' ? 1 : 0);
		}
		if (!into.has(s.id)) into.set(s.id, s);
		at = text.indexOf('{"id":"', next);
	}
}

/** `seriesFromSummary` of a parsed file (any schema). */
function seriesFromParsed(file: SummaryFile, end: number, into: Map<string, TerritorySeries>): void {
	for (const t of [file.territory, ...(file.regioni ?? [])] as SummaryFileTerritory[]) {
		if (into.has(t.id)) continue;
		const s: TerritorySeries = { id: t.id, level: t.level, parent: null, name: t.name, residenti: t.residenti, measures: new Map() };
		for (const run of t.runs) {
			const first = monthIndex(run.from);
			// the run's months before `end`: the parsed arrays themselves when it ends before
			const n = Math.min(run.nuclei.length, end - first);
			const m = measureOf(s, run.measure);
			if (n <= 0) continue;
			const whole = n === run.nuclei.length;
			const values = Object.fromEntries(VALUES.map((v) => [v, whole ? run[v] : run[v].slice(0, n)])) as ParsedRun['values'];
			pushRun(m, { from: first, n, values, secondary: (run.secondari ?? []).filter((k) => k < n) });
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
		for (const r of t.measures.get(name)!.runs) {
			// a run kept from the previous summary is its text, unless this schema has no `secondari` and it has some
			if ('text' in r && (withSecondary || !r.text.includes('"secondari":'))) {
				runs.push(r.text);
				continue;
			}
			const run = parsed(r);
			const arrays = VALUES.map((v) => `"${v}":${JSON.stringify(run.values[v])}`).join(',');
			const flags = withSecondary && run.secondary.length ? `,"secondari":[${run.secondary.join(',')}]` : '';
			runs.push(`{"measure":${JSON.stringify(name)},"from":"${monthText(run.from)}",${arrays}${flags}}`);
		}
	}
	return `{"id":${JSON.stringify(t.id)},"name":${JSON.stringify(t.name)},"level":${JSON.stringify(t.level)},"residenti":${t.residenti},"runs":[${runs.join(',')}]}`;
}
