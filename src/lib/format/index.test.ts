import { expect, test } from 'vitest';
import { fold, formatBytes, formatChange, formatCount, formatEuro, formatMonth, formatRate, formatShare, formatTick, formatValue } from './index.ts';

// Intl uses a narrow no-break space before € and %: compare with it normalised.
const n = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

test('counts use Italian thousands separators and suppressed counts read "< 3", never 0', () => {
	expect(formatCount(1825108)).toBe('1.825.108');
	expect(formatCount(0)).toBe('0');
	expect(formatCount(7684)).toBe('7.684');
	expect(formatCount(null)).toBe('< 3');
});

test('means, rates and shares read "n.d." when suppressed', () => {
	expect(n(formatEuro(563.2))).toBe('563,20 €');
	expect(n(formatEuro(1563.2))).toBe('1.563,20 €');
	expect(formatEuro(null)).toBe('n.d.');
	expect(formatRate(12.345)).toBe('12,35');
	expect(formatRate(null)).toBe('n.d.');
	expect(n(formatShare(0.256))).toMatch(/^25,6 ?%$/);
	expect(formatShare(null)).toBe('n.d.');
	expect(formatValue(null, 'count')).toBe('< 3');
	expect(formatValue(null, 'euro')).toBe('n.d.');
});

test('changes carry a sign; an undefined change is n.d.', () => {
	expect(n(formatChange(0.031))).toMatch(/^\+3,1 ?%$/);
	expect(n(formatChange(-0.2))).toMatch(/^−20,0 ?%$/);
	expect(formatChange(Infinity)).toBe('n.d.');
});

test('months and sizes in Italian', () => {
	expect(formatMonth('2023-11')).toBe('novembre 2023');
	expect(formatTick(1_200_000)).toBe('1,2 Mln');
	expect(formatTick(12000)).toBe('12.000');
	expect(formatBytes(1536)).toBe('1,5 kB');
	expect(formatBytes(3_000_000)).toBe('3,0 MB');
});

test('fold drops accents, case and punctuation, so searches and file names match what users type', () => {
	expect(fold("Sant'Agata de' Goti")).toBe('sant agata de goti');
	expect(fold('  Forlì-Cesena ')).toBe('forli cesena');
	expect(fold('Valle d’Aosta / Vallée d’Aoste', '-')).toBe('valle-d-aosta-vallee-d-aoste');
	expect(fold('---', '-')).toBe('');
	expect(fold('')).toBe('');
});
