/**
 * A DuckDB-WASM answer (Arrow IPC bytes) as `Columns`, read straight from the Arrow buffers:
 * numbers without a per-cell `get`, NULLs from the validity bitmap, and strings — and lists of
 * strings — decoded a chunk at a time. Arrow's own `get` makes a `TextDecoder` call per string
 * and a new vector per list cell: the months of every Regione and ATS (9,000 rows with a list of
 * measures each) took 200–600 ms of main thread that way, the ids and names of a comparison
 * (1,500 rows) 5–15 ms. Any other type goes through `get` as before.
 */
// @ts-expect-error apache-arrow 13's package.json "exports" leads TypeScript to no declarations (the same Arrow DuckDB-WASM decodes with).
import { tableFromIPC } from 'apache-arrow';
import { toValue, type Columns, type Value } from './engine.ts';

// Arrow's `Type` ids (format/Schema.fbs), stable across Arrow releases.
const ARROW_INT = 2;
const ARROW_FLOAT = 3;
const ARROW_UTF8 = 5;
const ARROW_LIST = 12;

/** The parts of an Arrow `Data` (one chunk of a column) read here. */
interface Chunk {
	type: { typeId: number };
	length: number;
	offset: number;
	nullCount: number;
	nullBitmap?: Uint8Array;
	valueOffsets?: Int32Array;
	values?: ArrayLike<number | bigint>;
	children: Chunk[];
}

interface Vector {
	length: number;
	type: { typeId: number };
	data: Chunk[];
	get(i: number): unknown;
}

/** Whole buffers: a leading U+FEFF is dropped per value below, as Arrow's per-value decoding does. */
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const BOM = 0xfeff;

/**
 * Whether row `i` of a chunk is NULL. As in Arrow 13, a chunk's value offsets and fixed-width
 * values start at its first row (a slice cuts them), its validity bitmap at bit `offset`.
 */
const isNull = (d: Chunk, i: number) => {
	const j = d.offset + i;
	return d.nullCount > 0 && !!d.nullBitmap && (d.nullBitmap[j >> 3] & (1 << (j & 7))) === 0;
};

/**
 * The strings of rows `[from, to)` of a Utf8 chunk, NULL as null: the bytes they span decoded
 * once, then cut at each value's UTF-16 position (counted from the UTF-8 lead bytes: a 4-byte
 * sequence is two UTF-16 units).
 */
function utf8Strings(d: Chunk, from: number, to: number): (string | null)[] {
	const out: (string | null)[] = new Array(to - from);
	const offsets = d.valueOffsets!;
	const bytes = d.values as Uint8Array;
	const start = offsets[from];
	const text = decoder.decode(bytes.subarray(start, offsets[to]));
	let at = start;
	let unit = 0;
	for (let j = from; j < to; j++) {
		const first = unit;
		for (const end = offsets[j + 1]; at < end; at++) {
			const b = bytes[at];
			if ((b & 0xc0) !== 0x80) unit += b >= 0xf0 ? 2 : 1;
		}
		out[j - from] = isNull(d, j) ? null : text.charCodeAt(first) === BOM && unit > first ? text.slice(first + 1, unit) : text.slice(first, unit);
	}
	return out;
}

/** A column's values (NULL as null), as `toValue(vector.get(i))` gives them. */
export function columnValues(vec: Vector): Value[] {
	const typeId = vec.type.typeId;
	const child = typeId === ARROW_LIST ? vec.data[0]?.children[0] : undefined;
	if (typeId !== ARROW_UTF8 && child?.type.typeId !== ARROW_UTF8) {
		const out: Value[] = new Array(vec.length);
		for (let i = 0; i < vec.length; i++) out[i] = toValue(vec.get(i));
		return out;
	}
	const out: Value[] = [];
	for (const d of vec.data) {
		if (typeId === ARROW_UTF8) {
			for (const s of utf8Strings(d, 0, d.length)) out.push(s);
			continue;
		}
		// A list of strings: the child's strings of the whole chunk at once, then each row's slice.
		const offsets = d.valueOffsets!;
		const [lo, hi] = [offsets[0], offsets[d.length]];
		const strings = utf8Strings(d.children[0], lo, hi);
		for (let i = 0; i < d.length; i++) out.push(isNull(d, i) ? null : strings.slice(offsets[i] - lo, offsets[i + 1] - lo));
	}
	return out;
}

/** A column as doubles, NULL as NaN. */
export function columnNumbers(vec: Vector): Float64Array {
	const out = new Float64Array(vec.length);
	const typeId = vec.type.typeId;
	if (typeId !== ARROW_INT && typeId !== ARROW_FLOAT) {
		for (let i = 0; i < vec.length; i++) {
			const v = vec.get(i);
			out[i] = v === null || v === undefined ? NaN : Number(v);
		}
		return out;
	}
	let at = 0;
	for (const d of vec.data) {
		const values = d.values!;
		for (let i = 0; i < d.length; i++) out[at + i] = isNull(d, i) ? NaN : Number(values[i]);
		at += d.length;
	}
	return out;
}

/** Arrow IPC bytes as `Columns`, decoded into a table on first use. */
export function arrowColumns(bytes: Uint8Array): Columns {
	let decoded: { numRows: number; getChild(name: string): Vector | null } | null = null;
	const table = () => (decoded ??= tableFromIPC(bytes));
	const child = (name: string) => {
		const v = table().getChild(name);
		if (!v) throw new Error(`No column ${JSON.stringify(name)} in the result`);
		return v;
	};
	return {
		get numRows() {
			return table().numRows;
		},
		numbers: (name) => columnNumbers(child(name)),
		values: (name) => columnValues(child(name))
	};
}
