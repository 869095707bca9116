import { describe, expect, test } from 'vitest';
import { hrefWith } from '#lib/state/view-state.ts';
import { effectiveMonth, monthsFor, nearbyChoices, readConfronto, territoryLinks } from './url.ts';

const u = (q: string) => new URL(`http://x/confronto?${q}`);

describe('Confronto URL state', () => {
	test('a full link reads back every choice', () => {
		const s = readConfronto(u('t=r:03&livello=ats&indicatore=nuclei_minori&misura=ADI&mese=2024-05&ordina=nome:asc&cerca=berg&sel=c:016024,c:015146&scala=propria&classifica=basso'), null);
		expect(s).toMatchObject({
			t: 'r:03',
			level: 'ats',
			measure: 'ADI',
			month: '2024-05',
			sort: { key: 'nome', dir: 'asc' },
			search: 'berg',
			selected: ['c:016024', 'c:015146'],
			sharedScale: false,
			side: 'bottom'
		});
		expect(s.indicator.key).toBe('nuclei_minori');
	});
	test('defaults: the user territory, the first level, rate descending', () => {
		const s = readConfronto(u(''), 'a:X05001');
		expect(s).toMatchObject({ t: 'a:X05001', level: 'comune', measure: 'totale', month: null, sort: { key: 'tasso', dir: 'desc' }, sharedScale: true, side: 'top' });
		expect(readConfronto(u('indicatore=importo_medio'), 'r:05').sort).toEqual({ key: 'valore', dir: 'desc' });
	});
	test('malformed values fall back, never reach a query', () => {
		const s = readConfronto(u("t=r:5&livello=provincia&indicatore=x';--&mese=2024-13&sel=c:1,c:028001"), 'r:05');
		expect(s).toMatchObject({ t: 'r:05', level: 'comune', month: null, selected: ['c:028001'] });
		expect(s.indicator.key).toBe('nuclei');
		expect(readConfronto(u('t=c:028001'), 'r:05').level).toBeNull();
	});
	test('months follow the measure', () => {
		const months = [
			{ month: '2023-11', measures: ['PdC', 'RdC', 'SFL'] },
			{ month: '2024-01', measures: ['ADI', 'SFL'] }
		];
		expect(monthsFor(months, 'RdC')).toEqual(['2023-11']);
		expect(monthsFor(months, 'totale')).toEqual(['2023-11', '2024-01']);
		expect(effectiveMonth('2024-01', monthsFor(months, 'RdC'))).toBe('2023-11');
		expect(effectiveMonth('2023-11', monthsFor(months, 'SFL'))).toBe('2023-11');
		expect(effectiveMonth(null, [])).toBeNull();
	});

	test('the choices one step away: the month before, a year before, and other measures in their own month', () => {
		const months = ['2022-11', '2022-12', '2023-01', '2023-11', '2023-12', '2024-01', '2024-02'].map((month) => ({
			month,
			measures: month <= '2023-12' ? ['PdC', 'RdC', 'SFL'] : ['ADI', 'SFL']
		}));
		expect(nearbyChoices(months, '2024-02', 'totale')).toEqual([
			{ month: '2024-01', measure: 'totale' },
			{ month: '2023-12', measure: 'RdC' },
			{ month: '2023-12', measure: 'PdC' }
		]);
		expect(nearbyChoices(months, '2023-12', 'RdC')).toEqual([
			{ month: '2023-11', measure: 'RdC' },
			{ month: '2022-12', measure: 'RdC' },
			{ month: '2024-02', measure: 'ADI' }
		]);
		// SFL is paid in both: only its month before and a year before.
		expect(nearbyChoices(months, '2023-01', 'SFL')).toEqual([
			{ month: '2022-12', measure: 'SFL' },
			{ month: '2024-02', measure: 'ADI' }
		]);
	});
});

describe('links to territories', () => {
	test('the same href as hrefWith for each id, whatever the query', () => {
		const pathOf = (id: string) => (id.startsWith('c:') ? '/' : '/confronto');
		for (const q of ['', 't=r:03', 'misura=ADI', 'a=1&z=2', 'indicatore=persone&mese=2024-05&misura=ADI&ordina=nome:asc&cerca=san+d%C3%B2&sel=c:016024&livello=ats&scala=propria&classifica=basso&t=r:03', 'u=x&s=y&t=it', 'x=%26%3D&t%C3%A0=1&ta=2&T=3'])
			for (const id of ['c:015146', 'a:321', 'r:03', 'it']) {
				const url = u(q);
				expect(territoryLinks(url, pathOf)(id), `${q} ${id}`).toBe(hrefWith(url, { t: id, sel: null, cerca: null, livello: null, ordina: null }, pathOf(id)));
			}
	});
});
