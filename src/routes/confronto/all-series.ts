/**
 * The series of every territory for one measure choice and indicator, kept in the page so that
 * picking a territory for the small multiples is a lookup, not a query. On the month-first
 * Regione extract a territory's rows are spread over the whole table, so any series query reads
 * all of it (25–90 ms under load); a range of months reads only its rows. So the series are read
 * in the background a few months at a time (`seriesChunkQuery`: `seriesQuery`'s own groups, so the
 * same numbers) and put together here.
 */
import type { Columns } from '#lib/data/query.ts';
import type { Series } from '#lib/charts/small-multiples/small-multiples-utils.ts';

/** Months of each background query: one of them is what a choice may have to wait for. */
export const MONTHS_PER_CHUNK = 3;

/**
 * The month ranges (`from` inclusive, `before` exclusive, null = open) that cover every month:
 * `MONTHS_PER_CHUNK` of `months` (sorted `YYYY-MM`) each, the first and last open-ended so a
 * territory with a month outside `months` is still read.
 */
export function chunkRanges(months: readonly string[], per = MONTHS_PER_CHUNK): { from: string | null; before: string | null }[] {
	const out: { from: string | null; before: string | null }[] = [];
	for (let i = 0; i < Math.max(months.length, 1); i += per) out.push({ from: i === 0 ? null : months[i], before: i + per < months.length ? months[i + per] : null });
	return out;
}

/** One chunk's rows: territory key, month (year × 12 + month − 1), plotted value (NaN: null), ordered by key and month. */
interface Chunk {
	k: Float64Array;
	m: Float64Array;
	p: Float64Array;
	/** Rows of each key: [start, end). */
	at: Map<number, [number, number]>;
}

const monthOf = (m: number) => new Date(Date.UTC(Math.floor(m / 12), m % 12, 1));

export class AllSeries {
	readonly #chunks: Chunk[] = [];
	/** The month ranges to read, in order: the series are complete once each has been added. */
	readonly ranges: readonly { from: string | null; before: string | null }[];

	constructor(ranges: readonly { from: string | null; before: string | null }[]) {
		this.ranges = ranges;
	}

	get complete(): boolean {
		return this.#chunks.length === this.ranges.length;
	}

	/** The next range to read (a build stopped for another choice resumes there), or null. */
	get next(): { from: string | null; before: string | null } | null {
		return this.ranges[this.#chunks.length] ?? null;
	}

	/** Adds the next chunk (chunks come in month order). */
	add(cols: Columns): void {
		const [k, m, p] = [cols.numbers('k'), cols.numbers('m'), cols.numbers('p')];
		const at = new Map<number, [number, number]>();
		for (let i = 0; i < k.length; ) {
			let j = i + 1;
			while (j < k.length && k[j] === k[i]) j++;
			at.set(k[i], [i, j]);
			i = j;
		}
		this.#chunks.push({ k, m, p, at });
	}

	/** The series of the territory with key `key`, as `seriesQuery` gives it; null when it has no rows. */
	series(key: number, id: string, name: string): Series | null {
		const s: Series = { id, name, months: [], values: [] };
		for (const c of this.#chunks) {
			const r = c.at.get(key);
			if (!r) continue;
			for (let i = r[0]; i < r[1]; i++) {
				s.months.push(monthOf(c.m[i]));
				s.values.push(Number.isNaN(c.p[i]) ? null : c.p[i]);
			}
		}
		return s.months.length ? s : null;
	}
}
