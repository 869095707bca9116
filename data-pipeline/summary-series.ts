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
 * One measure of a territory: months (since 2000-01) ascending, the values of each, and
 * whether its `nuclei` (and the columns hidden with it) is null by secondary suppression only.
 */
interface MeasureSeries {
	months: number[];
	values: Record<Value, (number | null)[]>;
	secondary: boolean[];
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
	if (!m) t.measures.set(measure, (m = { months: [], values: { nuclei: [], persone: [], importo_medio: [], nuclei_per_1000: [] }, secondary: [] }));
	return m;
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
	for (let i = 0; i < k.length; i++) {
		const m = measureOf(byK[k[i]!]!, MEASURE_NAMES[ms[i]!]!);
		m.months.push(mi[i]!);
		VALUES.forEach((v, c) => {
			const x = cols[3 + c]![i]!;
			m.values[v].push(x === x ? x : null);
		});
		m.secondary.push(cols[3 + VALUES.length]![i] === 1);
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
			const m = measureOf(s, run.measure);
			const first = monthIndex(run.from);
			const secondary = new Set(run.secondari ?? []);
			for (let j = 0; j < run.nuclei.length && first + j < end; j++) {
				m.months.push(first + j);
				for (const v of VALUES) m.values[v].push(run[v][j]!);
				m.secondary.push(secondary.has(j));
			}
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
			const a = e.measures.get(name);
			const b = t.measures.get(name);
			const m = measureOf(merged, name);
			for (const part of [a, b]) {
				if (!part) continue;
				m.months.push(...part.months);
				for (const v of VALUES) m.values[v].push(...part.values[v]);
				m.secondary.push(...part.secondary);
			}
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
		const m = t.measures.get(name)!;
		for (let i = 0; i < m.months.length; ) {
			let j = i + 1;
			while (j < m.months.length && m.months[j] === m.months[j - 1]! + 1) j++;
			const arrays = VALUES.map((v) => `${JSON.stringify(v)}:${JSON.stringify(m.values[v].slice(i, j))}`).join(',');
			const secondary: number[] = [];
			if (withSecondary) for (let k = i; k < j; k++) if (m.secondary[k]) secondary.push(k - i);
			const flags = secondary.length ? `,"secondari":[${secondary.join(',')}]` : '';
			runs.push(`{"measure":${JSON.stringify(name)},"from":"${monthText(m.months[i]!)}",${arrays}${flags}}`);
			i = j;
		}
	}
	return `{"id":${JSON.stringify(t.id)},"name":${JSON.stringify(t.name)},"level":${JSON.stringify(t.level)},"residenti":${t.residenti},"runs":[${runs.join(',')}]}`;
}
