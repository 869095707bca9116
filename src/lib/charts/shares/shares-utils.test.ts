import { expect, test } from 'vitest';
import { labelLines, shareLayout, type ShareRow } from './shares-utils.ts';

const rows: ShareRow[] = [
	{ key: 'minori', label: 'Con minori', bars: [{ id: 'a', share: 0.42 }, { id: 'it', share: 0.3 }] },
	{ key: 'disabili', label: 'Con disabili', bars: [{ id: 'a', share: null, missing: '< 3' }, { id: 'it', share: 0.25 }] }
];

test('one band per category, one bar per territory, x from 0 to a nice maximum', () => {
	const l = shareLayout(rows, ['a', 'it'], 600, 150, 60);
	expect(l.band.domain()).toEqual(['minori', 'disabili']);
	expect(l.inner.domain()).toEqual(['a', 'it']);
	expect(l.x.domain()).toEqual([0, 0.45]);
	expect(l.x(0)).toBe(150);
	expect(l.x(0.45)).toBe(540);
	expect(l.inner.bandwidth()).toBeGreaterThan(10);
});

test('all-missing rows still get a usable scale', () => {
	const l = shareLayout([{ key: 'x', label: 'X', bars: [{ id: 'a', share: null }] }], ['a'], 300, 100, 40);
	expect(l.x.domain()[1]).toBeGreaterThan(0);
});

test('rates above 1 (per 1,000 residents) keep their scale when the cap is lifted', () => {
	const rates: ShareRow[] = [{ key: 'r', label: 'R', bars: [{ id: 'a', share: 7.3 }, { id: 'it', share: 2.1 }] }];
	expect(shareLayout(rates, ['a', 'it'], 600, 150, 60).x.domain()).toEqual([0, 1]);
	expect(shareLayout(rates, ['a', 'it'], 600, 150, 60, 14, Infinity).x.domain()).toEqual([0, 8]);
});

test('long category labels go on two lines, before a parenthesis or at a space; short ones stay whole', () => {
	expect(labelLines('Servizi sociali (Patto per l’inclusione)', 26)).toEqual(['Servizi sociali', '(Patto per l’inclusione)']);
	expect(labelLines('Centri per l’impiego (Patto per il lavoro)', 26)).toEqual(['Centri per l’impiego', '(Patto per il lavoro)']);
	expect(labelLines('Con persone con disabilità', 26)).toEqual(['Con persone con disabilità']);
	expect(labelLines('Nuclei con almeno un beneficiario del mese', 26)).toEqual(['Nuclei con almeno un', 'beneficiario del mese']);
	expect(labelLines('Sovraindebitamentoeccessivo', 10)).toEqual(['Sovraindebitamentoeccessivo']);
});
