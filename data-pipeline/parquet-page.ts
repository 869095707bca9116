/**
 * The data pages of parquet-reader.ts: data page v1 content once decompressed — RLE levels,
 * the RLE/bit-packed hybrid of dictionary indices, PLAIN numbers and strings — written into
 * the output columns. Every count and bound is checked: a page that does not add up is an Error.
 */
import { isUtf8 } from 'node:buffer';
import type { DecodedColumn } from './parquet-reader.ts';

/** What a column decodes to: INT32 (plain, DATE, INT_32), DOUBLE, UTF8, LIST of UTF8. */
export type Kind = 'int32' | 'double' | 'string' | 'list';

/** `n` PLAIN BYTE_ARRAY values of b[p, end) as strings (UTF-8 checked). */
export function plainStrings(b: Buffer, p: number, end: number, n: number): string[] {
	const out = new Array<string>(n);
	for (let i = 0; i < n; i++) {
		if (p + 4 > end) throw new Error('PLAIN strings end early');
		const len = b.readUInt32LE(p);
		p += 4;
		if (p + len > end) throw new Error('PLAIN strings end early');
		const s = b.toString('utf8', p, p + len);
		if (s.includes('\uFFFD') && !isUtf8(b.subarray(p, p + len))) throw new Error('a string that is not UTF-8');
		out[i] = s;
		p += len;
	}
	if (p !== end) throw new Error('bytes past the PLAIN strings');
	return out;
}

// Scratch arrays reused across pages: levels and dictionary indices.
let levelsA: Uint32Array = new Uint32Array(1024);
let levelsB: Uint32Array = new Uint32Array(1024);
let indices: Uint32Array = new Uint32Array(1024);
// PLAIN numbers copied here to be read aligned (a page's values start at any byte)
let numberBytes = new Uint8Array(8192);
let doubles = new Float64Array(numberBytes.buffer);
let ints = new Int32Array(numberBytes.buffer);
function fit(a: Uint32Array, n: number): Uint32Array {
	return a.length >= n ? a : new Uint32Array(Math.max(n, a.length * 2));
}

/** RLE levels of data page v1 (4-byte length, then the hybrid) at b[p]: the position after them. */
function levels(b: Buffer, p: number, n: number, width: number, out: Uint32Array, max: number): number {
	if (p + 4 > b.length) throw new Error('levels end early');
	const end = p + 4 + b.readUInt32LE(p);
	if (end > b.length) throw new Error('levels past the end of the page');
	if (hybrid(b, p + 4, end, width, out, n, max) !== end) throw new Error('bytes past the levels');
	return end;
}

/**
 * The RLE/bit-packed hybrid: `n` values of `width` bits from b[p, end) into `out`, each at
 * most `max`. Returns the position after the last run (bit-packed groups are whole).
 */
function hybrid(b: Buffer, p: number, end: number, width: number, out: Uint32Array, n: number, max: number): number {
	if (width > 24) throw new Error(`bit width ${width}`);
	const bytes = (width + 7) >> 3;
	const mask = (1 << width) - 1;
	let i = 0;
	while (i < n) {
		let h = 0;
		for (let shift = 0; ; shift += 7) {
			if (p >= end || shift > 21) throw new Error('RLE/bit-packed runs end early');
			const x = b[p++]!;
			h |= (x & 0x7f) << shift;
			if (x < 0x80) break;
		}
		if ((h & 1) === 0) {
			const count = h >>> 1;
			if (count === 0 || i + count > n) throw new Error("an RLE run past the page's values");
			if (p + bytes > end) throw new Error('RLE/bit-packed runs end early');
			let v = 0;
			for (let k = 0; k < bytes; k++) v |= b[p++]! << (8 * k);
			if (v > max) throw new Error(`value ${v} past ${max}`);
			const stop = i + count;
			if (count > 32) {
				out.fill(v, i, stop);
				i = stop;
			} else while (i < stop) out[i++] = v;
		} else {
			const count = (h >>> 1) * 8;
			const size = (h >>> 1) * width;
			if (count === 0 || p + size > end) throw new Error('RLE/bit-packed runs end early');
			const start = i;
			const stop = Math.min(i + count, n);
			let big = 0;
			if (width === 8) for (let q = p; i < stop; i++, q++) big |= out[i] = b[q]!;
			else if (width === 16) for (let q = p; i < stop; i++, q += 2) big |= out[i] = b[q]! | (b[q + 1]! << 8);
			else {
				let acc = 0;
				let bits = 0;
				let q = p;
				for (; i < stop; i++) {
					while (bits < width) {
						acc |= b[q++]! << bits;
						bits += 8;
					}
					big |= out[i] = acc & mask;
					acc >>>= width;
					bits -= width;
				}
			}
			// `big` has every bit of every value: past max only if some value is (max + 1 a power of two)
			if (big > max && !allAtMost(out, start, stop, max)) throw new Error(`a value past ${max}`);
			p += size;
			// values past `n` only pad the last group
			if (stop - start < count && p !== end) throw new Error("bit-packed values past the page's values");
		}
	}
	return p;
}

function allAtMost(a: Uint32Array, from: number, to: number, max: number): boolean {
	for (let i = from; i < to; i++) if (a[i]! > max) return false;
	return true;
}

/** A flat column's data page: `n` rows into `out` from `at`. */
export function flatPage(b: Buffer, n: number, kind: Kind, dict: string[] | null, out: DecodedColumn, at: number): void {
	const defs = (levelsA = fit(levelsA, n));
	let p = levels(b, 0, n, 1, defs, 1);
	let count = 0;
	for (let i = 0; i < n; i++) count += defs[i]!;
	if (kind === 'string') {
		const col = out as (string | null)[];
		if (dict) {
			const idx = dictionaryIndices(b, p, count, dict.length);
			for (let i = 0, j = 0; i < n; i++) col[at + i] = defs[i] ? dict[idx[j++]!]! : null;
		} else {
			const vs = plainStrings(b, p, b.length, count);
			for (let i = 0, j = 0; i < n; i++) col[at + i] = defs[i] ? vs[j++]! : null;
		}
		return;
	}
	const col = out as Float64Array;
	const size = kind === 'double' ? 8 : 4;
	if (dict) throw new Error('a dictionary-encoded numeric column');
	if (p + count * size !== b.length) throw new Error(`${b.length - p} bytes for ${count} PLAIN values`);
	if (numberBytes.length < count * size) {
		numberBytes = new Uint8Array(Math.max(count * size, numberBytes.length * 2));
		doubles = new Float64Array(numberBytes.buffer);
		ints = new Int32Array(numberBytes.buffer);
	}
	numberBytes.set(b.subarray(p, p + count * size));
	// typed arrays are little-endian here (x86, arm64), as PLAIN is; one loop per type keeps each monomorphic
	if (size === 8) {
		const vs = doubles;
		for (let i = 0, j = 0; i < n; i++) col[at + i] = defs[i] ? vs[j++]! : NaN;
	} else {
		const vs = ints;
		for (let i = 0, j = 0; i < n; i++) col[at + i] = defs[i] ? vs[j++]! : NaN;
	}
}

/** `count` dictionary indices (a bit-width byte, then the hybrid) at b[p], each checked against the dictionary's `size`. */
function dictionaryIndices(b: Buffer, p: number, count: number, size: number): Uint32Array {
	const idx = (indices = fit(indices, count));
	if (p >= b.length) {
		if (count) throw new Error('dictionary indices missing');
		return idx;
	}
	if (hybrid(b, p + 1, b.length, b[p]!, idx, count, size - 1) !== b.length) throw new Error('bytes past the dictionary indices');
	return idx;
}

/** Where a LIST column's rows are: the last row started and its list (rows may continue over pages). */
export interface ListState {
	row: number;
	list: string[] | null;
	end: number;
}

export function listPage(b: Buffer, n: number, dict: string[], out: (string[] | null)[], s: ListState): void {
	const reps = (levelsA = fit(levelsA, n));
	const defs = (levelsB = fit(levelsB, n));
	let p = levels(b, 0, n, 1, reps, 1);
	p = levels(b, p, n, 2, defs, 3);
	let count = 0;
	for (let i = 0; i < n; i++) if (defs[i] === 3) count++;
	const idx = dictionaryIndices(b, p, count, dict.length);
	for (let i = 0, j = 0; i < n; i++) {
		const d = defs[i]!;
		if (d === 2) throw new Error('a NULL list element');
		if (reps[i] === 0) {
			if (++s.row >= s.end) throw new Error('more lists than the row group has rows');
			s.list = d === 0 ? null : [];
			out[s.row] = s.list;
		} else if (!s.list || d !== 3 || !s.list.length) throw new Error('a repeated element outside a non-empty list');
		if (d === 3) s.list!.push(dict[idx[j++]!]!);
	}
}
