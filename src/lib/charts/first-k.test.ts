import { describe, expect, test } from 'vitest';
import { firstK } from './first-k.ts';

/** A reproducible pseudo-random sequence (no Math.random in tests). */
function lcg(seed: number): () => number {
	let x = seed;
	return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe('firstK', () => {
	test('equals a full sort cut at k, ties broken by index, for every k', () => {
		const rnd = lcg(7);
		for (const n of [0, 1, 2, 9, 40, 300]) {
			const values = Array.from({ length: n }, () => Math.floor(rnd() * 12));
			const cmp = (a: number, b: number) => values[b] - values[a] || a - b;
			const idx = Array.from({ length: n }, (_, i) => i);
			const full = [...idx].sort(cmp);
			for (const k of [0, 1, 3, 10, 25, n - 1, n, n + 5]) expect(firstK(idx, cmp, k), `n ${n} k ${k}`).toEqual(full.slice(0, Math.max(0, k)));
		}
	});
	test('takes a subset of indices, in any order', () => {
		const values = [5, 1, 4, 1, 5, 9, 2, 6];
		const cmp = (a: number, b: number) => values[a] - values[b] || a - b;
		expect(firstK([7, 0, 3, 1, 5], cmp, 3)).toEqual([1, 3, 0]);
		expect(firstK(new Int32Array([6, 2]), cmp, 5)).toEqual([6, 2]);
	});
});
