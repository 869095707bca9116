import { describe, expect, test } from 'vitest';
import type { Measure, SummaryPoint, SummaryTerritory } from '#contracts';
import { INDICATOR_INFO, INDICATORS, MEASURE_CHOICES, type Indicator, type MeasureChoice } from '#lib/data/indicators.ts';
import { countCell, monthsOf } from '#lib/data/series.ts';
import { anySuppressed, figuresOf, prepareFigures } from './figures.ts';

const MONTHS = ['2023-10', '2023-11', '2023-12', '2024-01', '2024-02', '2024-03'];
const paid = (m: Measure, month: string) => (m === 'RdC' || m === 'PdC' ? month < '2024-01' : m === 'ADI' ? month >= '2024-01' : true);

/** A territory whose points are each suppressed (all four figures null) with probability `p`, from a seeded generator. */
function territory(id: string, months: readonly string[], p: number, seed: number): SummaryTerritory {
	let s = seed;
	const random = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
	const series: SummaryPoint[] = [];
	for (const measure of ['RdC', 'PdC', 'ADI', 'SFL'] as Measure[])
		for (const month of months) {
			if (!paid(measure, month)) continue;
			const hidden = random() < p;
			const secondary = hidden && random() < 0.5;
			series.push({
				month,
				measure,
				nuclei: hidden ? null : 100 + Math.round(random() * 50),
				persone: hidden ? null : 200,
				importo_medio: hidden ? null : 500.5,
				nuclei_per_1000: hidden ? null : 3.25,
				...(secondary ? { secondario: true as const } : {})
			});
		}
	return { id, name: id, level: 'regione', residenti: 10_000, series };
}

/** What the view's two data tables hold (as Andamento built them before this module): the cells, "< 3" as null. */
function tableCells(list: readonly SummaryTerritory[], key: Indicator, misura: MeasureChoice): unknown[] {
	const [t] = list;
	const months = monthsOf(t);
	const cells: unknown[] = [];
	for (const c of MEASURE_CHOICES) {
		const fs = new Map(figuresOf(t, c).map(({ month, f }) => [month, f]));
		if (fs.size === 0) continue;
		for (const m of months) {
			const f = fs.get(m);
			const counted = INDICATOR_INFO[key].kind === 'count' && f ? countCell(f, f[key]) : undefined;
			cells.push(counted ?? (f ? f[key] : '—'));
		}
	}
	const rates = list.map((x) => new Map(figuresOf(x, misura).map(({ month, f }) => [month, f.nuclei_per_1000])));
	for (const m of months.filter((m) => rates.some((r) => r.has(m)))) for (const r of rates) cells.push(r.has(m) ? r.get(m) : '—');
	return cells;
}

describe('anySuppressed', () => {
	test('says whether a data table holds "< 3" or "n.d.", for every indicator and measure, on 200 random suppressions', () => {
		let notes = 0;
		for (let seed = 1; seed <= 200; seed++) {
			// The Regione has fewer months than Italia: Italia's rate in a month the Regione lacks is in no table.
			const list = [territory('r:05', MONTHS.slice(1), 0.04, seed), territory('it', MONTHS, 0.04, seed * 7)];
			for (const key of INDICATORS)
				for (const misura of MEASURE_CHOICES) {
					const want = tableCells(list, key, misura).some((v) => v === null || v === 'n.d.');
					expect(anySuppressed(list, key, misura), `seed ${seed}, ${key}, ${misura}`).toBe(want);
					if (want) notes++;
				}
		}
		// Both answers occur.
		expect(notes).toBeGreaterThan(100);
		expect(notes).toBeLessThan(200 * INDICATORS.length * MEASURE_CHOICES.length);
	});

	test("a benchmark's suppressed rate in a month the territory has no figures for shows no note", () => {
		const regione = territory('r:05', MONTHS.slice(1), 0, 1);
		const clean = territory('it', MONTHS, 0, 2);
		const before = { ...clean, series: clean.series.map((p) => (p.month === MONTHS[0] ? { ...p, nuclei: null, persone: null, importo_medio: null, nuclei_per_1000: null } : p)) };
		expect(anySuppressed([regione, before], 'nuclei', 'totale')).toBe(false);
		// The same in a month the Regione has: the rates table shows "n.d." for Italia.
		const inside = { ...clean, series: clean.series.map((p) => (p.month === MONTHS[2] && p.measure === 'RdC' ? { ...p, nuclei: null, nuclei_per_1000: null } : p)) };
		expect(anySuppressed([regione, inside], 'nuclei', 'totale')).toBe(true);
	});
});

test('prepareFigures makes, one step each, the figures the view reads: the same objects afterwards', () => {
	const list = [territory('r:05', MONTHS, 0.1, 3), territory('it', MONTHS, 0.1, 4)];
	const steps = [...prepareFigures(list)];
	expect(steps).toHaveLength(list.length * MEASURE_CHOICES.length);
	const made = figuresOf(list[1], 'ADI');
	expect(made.map((x) => x.month)).toEqual(MONTHS.filter((m) => m >= '2024-01'));
	expect(figuresOf(list[1], 'ADI')).toBe(made);
});
