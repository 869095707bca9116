import { expect, test } from 'vitest';
import type { SummaryTerritory } from '#contracts';
import { figuresAt } from '#lib/data/series.ts';
import { sflBars, sflRows, sflTable } from './sfl.ts';

const p = (month: string, measure: 'ADI' | 'SFL', nuclei: number | null, persone: number | null, rate: number | null) => ({ month, measure, nuclei, persone, importo_medio: null, nuclei_per_1000: rate });
const comune: SummaryTerritory = {
	id: 'c:063060',
	name: 'Pozzuoli',
	level: 'comune',
	residenti: 80_000,
	series: [p('2024-03', 'ADI', 900, 2100, 11.25), p('2024-03', 'SFL', 120, 130, 1.5), p('2024-04', 'ADI', 910, 2110, 11.375), p('2024-04', 'SFL', null, null, null)]
};
const regione: SummaryTerritory = { ...comune, id: 'r:15', name: 'Campania', level: 'regione', residenti: 5_600_000, series: [p('2024-03', 'SFL', 40_000, 44_000, 7.14), p('2024-04', 'SFL', 41_000, 45_000, 7.32)] };

test('SFL rows: recipients as persone, households with a recipient as nuclei, per 1,000 residents', () => {
	const [own, reg] = sflRows([comune, regione], '2024-03');
	expect(own).toEqual({ id: 'c:063060', name: 'Pozzuoli', persone: 130, nuclei: 120, persone_per_1000: 1.625, nuclei_per_1000: 1.5 });
	expect(reg.persone_per_1000).toBeCloseTo((44_000 * 1000) / 5_600_000, 9);
});

test('suppressed SFL figures stay null (never 0, never rebuilt); no SFL that month: no rows', () => {
	const [own] = sflRows([comune, regione], '2024-04');
	expect(own).toMatchObject({ persone: null, nuclei: null, persone_per_1000: null, nuclei_per_1000: null });
	expect(sflRows([comune, regione], '2023-01')).toEqual([]);
	expect(sflTable(sflRows([comune], '2024-04'), 'aprile 2024').rows[0]).toMatchObject({ territorio: 'Pozzuoli', persone: null });
});

test('SFL is never added to the household total', () => {
	expect(figuresAt(comune, '2024-03', 'totale')?.nuclei).toBe(900);
	expect(figuresAt(comune, '2024-03', 'totale')?.persone).toBe(2100);
});

test('the chart draws one band per rate, one bar per territory; a suppressed rate shows n.d.', () => {
	const bars = sflBars(sflRows([comune, regione], '2024-04'));
	expect(bars.map((b) => b.key)).toEqual(['persone_per_1000', 'nuclei_per_1000']);
	expect(bars[1]!.bars).toEqual([
		{ id: 'c:063060', share: null, missing: 'n.d.' },
		{ id: 'r:15', share: 7.32, missing: 'n.d.' }
	]);
});
