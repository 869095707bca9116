import { expect, test } from 'vitest';
import { carriedQuery, hrefWith, readIdList, readViewState } from './view-state.ts';

const u = (s: string) => new URL(s, 'http://x.invalid');

test('the view state round-trips through the query string', () => {
	const url = u('/andamento?t=c:028001&misura=ADI&indicatore=nuclei_per_1000&mese=2024-01');
	expect(readViewState(url)).toEqual({ t: 'c:028001', misura: 'ADI', indicatore: 'nuclei_per_1000', mese: '2024-01' });
	expect(readViewState(u(hrefWith(u('/andamento'), { ...readViewState(url) })))).toEqual(readViewState(url));
});

test('malformed values fall back to the defaults instead of breaking the view', () => {
	expect(readViewState(u('/?t=c:28001&misura=XYZ&indicatore=drop%20table&mese=2024-13'))).toEqual({ t: null, misura: 'totale', indicatore: 'nuclei', mese: null });
	expect(readIdList(u('/?sel=c:028001,bogus,a:X05003'), 'sel')).toEqual(['c:028001', 'a:X05003']);
});

test('defaults and empty values leave the URL short; lists join with commas', () => {
	expect(hrefWith(u('/confronto?misura=ADI'), { misura: 'totale', sel: ['c:028001', 'c:028002'], cerca: '' })).toBe('/confronto?sel=c%3A028001%2Cc%3A028002');
	expect(hrefWith(u('/?t=r:05'), {}, '/andamento')).toBe('/andamento?t=r%3A05');
});

test('moving between views carries territory and period but not view-specific keys', () => {
	expect(carriedQuery(u('/confronto?t=r:05&ordina=nuclei&mese=2024-01'))).toBe('?t=r%3A05&mese=2024-01');
});
