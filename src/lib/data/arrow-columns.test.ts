import { describe, expect, test } from 'vitest';
// @ts-expect-error apache-arrow 13's package.json "exports" leads TypeScript to no declarations.
import { Field, Float64, Int32, List, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { arrowColumns, columnNumbers, columnValues } from './arrow-columns.ts';
import { toValue } from './engine.ts';

/** What Arrow's own `get` gives, cell by cell (the decoding before). */
const viaGet = (vec: { length: number; get(i: number): unknown }) => Array.from({ length: vec.length }, (_, i) => toValue(vec.get(i)));

// Accents, a 4-byte character (two UTF-16 units), empty strings, NULLs, a leading BOM.
const WORDS = ['Cantù', 'Forlì', 'a', '', 'Sant’Angelo Lodigiano', '𝄞 chiave', 'Ñandú', '\uFEFFbom', 'Valle d’Aosta/Vallée d’Aoste', 'x'.repeat(40)];

function randomStrings(n: number, seed: number): (string | null)[] {
	let s = seed;
	const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
	return Array.from({ length: n }, () => (next() < 0.1 ? null : WORDS[Math.floor(next() * WORDS.length)] + (next() < 0.5 ? String(Math.floor(next() * 1000)) : '')));
}

describe('Arrow columns read from the buffers', () => {
	test('strings and lists of strings equal Arrow’s own get, through IPC bytes, in one chunk or several', () => {
		const item = new Field('item', new Utf8(), true);
		const make = (n: number, seed: number) => {
			const strings = randomStrings(n, seed);
			const lists = strings.map((x, i) => (i % 7 === 3 ? null : randomStrings(i % 5, seed + i)));
			return new Table({ s: vectorFromArray(strings, new Utf8()), l: vectorFromArray(lists, new List(item)), n: vectorFromArray(strings.map((x, i) => (x === null ? null : i * 1.5)), new Float64()) });
		};
		for (const table of [make(300, 7), make(120, 3).concat(make(90, 11), make(1, 5))]) {
			const cols = arrowColumns(tableToIPC(table));
			expect(cols.numRows).toBe(table.numRows);
			for (const name of ['s', 'l']) expect(cols.values(name)).toEqual(viaGet(table.getChild(name)));
			const want = viaGet(table.getChild('n')).map((v) => (v === null ? NaN : v));
			expect([...cols.numbers('n')]).toEqual(want);
		}
	});

	test('a slice of a column (data at an offset) reads its own rows', () => {
		const strings = randomStrings(200, 13);
		const vec = vectorFromArray(strings, new Utf8());
		const lists = vectorFromArray(strings.map((x, i) => (i % 4 === 0 ? null : [x, 'RdC'])), new List(new Field('item', new Utf8(), true)));
		for (const [a, b] of [[0, 200], [17, 90], [199, 200], [50, 50]]) {
			expect(columnValues(vec.slice(a, b)), `${a}–${b}`).toEqual(viaGet(vec.slice(a, b)));
			expect(columnValues(lists.slice(a, b)), `${a}–${b}`).toEqual(viaGet(lists.slice(a, b)));
		}
		const ints = vectorFromArray([1, null, 3, 4, null], new Int32()).slice(1, 4);
		expect([...columnNumbers(ints)]).toEqual([NaN, 3, 4]);
	});
});
