import { expect, test } from 'vitest';
import { median, quantile } from './stats.ts';

test('median ignores runs that produced no figure', () => {
	expect(median([5, null, 1, 3, undefined])).toBe(3);
	expect(median([4, 1, 3, 2])).toBe(2.5);
	expect(median([null])).toBeNull();
});

test('p95 of 20 interactions lies between the two slowest', () => {
	const xs = Array.from({ length: 20 }, (_, i) => i + 1);
	expect(quantile(xs, 0.95)).toBeCloseTo(19.05);
	expect(quantile([7], 0.95)).toBe(7);
});
