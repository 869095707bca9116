/**
 * A minimal Parquet writer for the extract files (decision 0023): flat OPTIONAL columns of
 * VARCHAR (BYTE_ARRAY UTF8), DATE (INT32 DATE), INTEGER (INT32 INT_32), DOUBLE, and
 * VARCHAR[] (the three-level LIST of OPTIONAL UTF8), one data page (v1, RLE levels) per
 * column chunk, ZSTD, min/max statistics on every flat column. Numbers are PLAIN; strings
 * (VARCHAR and the lists' elements) are dictionary-encoded — a dictionary page (PLAIN) then
 * RLE_DICTIONARY indices, 8 bits wide (decision 0026). The same physical schema DuckDB writes
 * for these types; verify reads every file back with DuckDB.
 * It exists because the files are many and small: DuckDB's partitioned COPY costs ≈ 1 ms
 * per file plus ≈ 3.5 µs per row on one thread, most of the old write stage.
 */
import { zstdCompressSync } from 'node:zlib';
import { CONVERTED, THRIFT, TYPE } from './parquet-format.ts';

export type ParquetType = 'VARCHAR' | 'DATE' | 'INTEGER' | 'DOUBLE' | 'VARCHAR[]';

/**
 * A column's values for the rows of a row group. Flat columns: `number` (NaN = NULL) or a
 * pre-encoded PLAIN string (`Buffer` of 4-byte length + UTF-8, null = NULL); lists: the
 * elements (null = NULL list).
 */
export type ColumnValues = Float64Array | (Buffer | null)[] | (readonly string[] | null)[];

export interface ColumnSpecLite {
	name: string;
	type: ParquetType;
}

/** A PLAIN-encoded string value (what a VARCHAR column takes). */
export function plainString(s: string): Buffer {
	const bytes = Buffer.from(s, 'utf8');
	const out = Buffer.allocUnsafe(4 + bytes.length);
	out.writeUInt32LE(bytes.length, 0);
	bytes.copy(out, 4);
	return out;
}

// Thrift compact protocol (the footer and page headers).
const T = THRIFT;

class Compact {
	out: number[] = [];
	private last: number[] = [0];
	private varint(n: number): void {
		while (n >= 0x80) {
			this.out.push((n % 0x80) | 0x80);
			n = Math.floor(n / 0x80);
		}
		this.out.push(n);
	}
	private zigzag(n: number): void {
		this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
	}
	private field(id: number, type: number): void {
		const delta = id - this.last[this.last.length - 1]!;
		if (delta > 0 && delta <= 15) this.out.push((delta << 4) | type);
		else {
			this.out.push(type);
			this.zigzag(id);
		}
		this.last[this.last.length - 1] = id;
	}
	int(id: number, v: number, type: number = T.I32): this {
		this.field(id, type);
		this.zigzag(v);
		return this;
	}
	i64(id: number, v: number): this {
		return this.int(id, v, T.I64);
	}
	bool(id: number, v: boolean): this {
		this.field(id, v ? T.TRUE : T.FALSE);
		return this;
	}
	bin(id: number, v: Buffer | string): this {
		const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
		this.field(id, T.BINARY);
		this.varint(b.length);
		for (const x of b) this.out.push(x);
		return this;
	}
	struct(id: number, body: (c: this) => void): this {
		this.field(id, T.STRUCT);
		this.body(body);
		return this;
	}
	private body(body: (c: this) => void): void {
		this.last.push(0);
		body(this);
		this.out.push(0);
		this.last.pop();
	}
	private listHeader(size: number, elem: number): void {
		if (size < 15) this.out.push((size << 4) | elem);
		else {
			this.out.push(0xf0 | elem);
			this.varint(size);
		}
	}
	structs<X>(id: number, items: readonly X[], each: (c: this, x: X) => void): this {
		this.field(id, T.LIST);
		this.listHeader(items.length, T.STRUCT);
		for (const x of items) this.body((c) => each(c, x));
		return this;
	}
	/** A list of structs: `raw` ones (encoded elsewhere, copied as they are) first, then `items`. */
	rawThenStructs<X>(id: number, raw: readonly Buffer[], items: readonly X[], each: (c: this, x: X) => void): this {
		this.field(id, T.LIST);
		this.listHeader(raw.length + items.length, T.STRUCT);
		for (const b of raw) for (const x of b) this.out.push(x);
		for (const x of items) this.body((c) => each(c, x));
		return this;
	}
	ints(id: number, items: readonly number[]): this {
		this.field(id, T.LIST);
		this.listHeader(items.length, T.I32);
		for (const x of items) this.zigzag(x);
		return this;
	}
	strings(id: number, items: readonly string[]): this {
		this.field(id, T.LIST);
		this.listHeader(items.length, T.BINARY);
		for (const x of items) {
			const b = Buffer.from(x, 'utf8');
			this.varint(b.length);
			for (const y of b) this.out.push(y);
		}
		return this;
	}
	/** Ends a top-level struct. */
	end(): Buffer {
		this.out.push(0);
		return Buffer.from(this.out);
	}
}

const PLAIN = 0;
const RLE = 3;
const RLE_DICTIONARY = 8;
const ZSTD = 6;
const PAGE = { DATA: 0, DICTIONARY: 2 } as const;

/** RLE runs (no bit-packing) of `levels`, prefixed by their byte length (data page v1). */
function rleLevels(levels: Uint8Array, n: number): Buffer {
	const out: number[] = [0, 0, 0, 0];
	for (let i = 0; i < n; ) {
		let j = i + 1;
		while (j < n && levels[j] === levels[i]) j++;
		let run = (j - i) * 2;
		while (run >= 0x80) {
			out.push((run & 0x7f) | 0x80);
			run >>>= 7;
		}
		out.push(run, levels[i]!);
		i = j;
	}
	const b = Buffer.from(out);
	b.writeUInt32LE(b.length - 4, 0);
	return b;
}

interface Stats {
	min?: Buffer;
	max?: Buffer;
	nulls: number;
}

interface EncodedChunk {
	bytes: Buffer;
	uncompressed: number;
	numValues: number;
	stats: Stats | null;
	/** Bytes of the dictionary page (header included) at the start of `bytes`; 0 without one. */
	dictionary: number;
}

/** Bits per dictionary index: whole bytes (8 or 16), see dictionaryIndices. */
export function indexWidth(size: number): number {
	if (process.env.PW_MIN_WIDTH === '1') return Math.max(1, Math.ceil(Math.log2(size)));
	return size <= 256 ? 8 : 16;
}

/**
 * Dictionary indices as the RLE/bit-packed hybrid, preceded by the bit width: a run of ≥ 8
 * equal indices is one RLE run, the rest bit-packed in groups of 8. The width is whole bytes,
 * so a list repeated across rows stays a repeated byte string that ZSTD finds (at the minimal
 * width the same list lands on a different bit offset each time: larger, decision 0026).
 */
function dictionaryIndices(idx: Uint16Array, n: number, width: number): Buffer {
	const out = Buffer.allocUnsafe(1 + 3 * n + 64);
	let o = 0;
	out[o++] = width;
	const varint = (v: number) => {
		while (v >= 0x80) {
			out[o++] = (v & 0x7f) | 0x80;
			v >>>= 7;
		}
		out[o++] = v;
	};
	let packed = 0; // start of the values waiting to be bit-packed
	const pack = (end: number) => {
		const groups = Math.ceil((end - packed) / 8);
		if (!groups) return;
		varint((groups << 1) | 1);
		let acc = 0;
		let bits = 0;
		// padding (zeros) only ever completes the last group of the page
		for (let i = packed; i < packed + groups * 8; i++) {
			acc |= (i < end ? idx[i]! : 0) << bits;
			bits += width;
			while (bits >= 8) {
				out[o++] = acc & 0xff;
				acc >>>= 8;
				bits -= 8;
			}
		}
		packed = end;
	};
	for (let i = 0; i < n; ) {
		let j = i + 1;
		while (j < n && idx[j] === idx[i]) j++;
		// complete the pending bit-packed groups with the run's first values, RLE the rest
		const fill = (8 - ((i - packed) % 8)) % 8;
		if (j - i - fill >= 8) {
			pack(i + fill);
			varint((j - packed) << 1);
			out[o++] = idx[i]! & 0xff;
			if (width > 8) out[o++] = idx[i]! >>> 8;
			packed = j;
		}
		i = j;
	}
	pack(n);
	return out.subarray(0, o);
}

/** A dictionary page (PLAIN `dict`) and the data page of `levelsAndIndices`. */
function dictionaryChunk(dict: Buffer[], levelsAndIndices: Buffer, numValues: number, stats: Stats | null): EncodedChunk {
	const raw = Buffer.concat(dict);
	const compressed = zstd(raw);
	const header = new Compact()
		.int(1, PAGE.DICTIONARY)
		.int(2, raw.length)
		.int(3, compressed.length)
		.struct(7, (c) => c.int(1, dict.length).int(2, PLAIN))
		.end();
	const data = page(levelsAndIndices, numValues, stats, RLE_DICTIONARY);
	return {
		bytes: Buffer.concat([header, compressed, data.bytes]),
		uncompressed: header.length + raw.length + data.uncompressed,
		numValues,
		stats,
		dictionary: header.length + compressed.length
	};
}

function encodeFlat(type: ParquetType, values: Float64Array | (Buffer | null)[], n: number): EncodedChunk {
	const defs = new Uint8Array(n);
	let nulls = 0;
	let body: Buffer;
	let min: Buffer | undefined;
	let max: Buffer | undefined;
	if (type === 'VARCHAR') {
		const vs = values as (Buffer | null)[];
		// values are shared per territory: each distinct Buffer is looked up (and compared) once
		const known = new Map<Buffer, number>();
		const byText = new Map<string, number>();
		const dict: Buffer[] = [];
		const idx = new Uint16Array(n);
		let count = 0;
		for (let i = 0; i < n; i++) {
			const v = vs[i];
			if (v === null || v === undefined) {
				nulls++;
				continue;
			}
			defs[i] = 1;
			let k = known.get(v);
			if (k === undefined) {
				const text = v.toString('latin1');
				k = byText.get(text);
				if (k === undefined) {
					if (dict.length === MAX_DICTIONARY) return encodePlainStrings(vs, n);
					byText.set(text, (k = dict.length));
					dict.push(v);
					// statistics compare the UTF-8 bytes (unsigned), past the 4-byte length
					if (!min || v.compare(min, 4, min.length, 4, v.length) < 0) min = v;
					if (!max || v.compare(max, 4, max.length, 4, v.length) > 0) max = v;
				}
				known.set(v, k);
			}
			idx[count++] = k;
		}
		const levels = rleLevels(defs, n);
		return dictionaryChunk(dict, Buffer.concat([levels, dictionaryIndices(idx, count, indexWidth(dict.length))]), n, { min: min?.subarray(4), max: max?.subarray(4), nulls });
	} else {
		const vs = values as Float64Array;
		const double = type === 'DOUBLE';
		const packed = double ? new Float64Array(n) : new Int32Array(n);
		let count = 0;
		let lo = Infinity;
		let hi = -Infinity;
		for (let i = 0; i < n; i++) {
			const v = vs[i]!;
			if (v !== v) nulls++;
			else {
				defs[i] = 1;
				packed[count++] = v;
				if (v < lo) lo = v;
				if (v > hi) hi = v;
			}
		}
		// typed arrays are little-endian here (x86, arm64), as Parquet's PLAIN encoding
		body = Buffer.from(packed.buffer, 0, count * packed.BYTES_PER_ELEMENT);
		if (count) {
			const bound = (x: number) => Buffer.from((double ? Float64Array.of(x) : Int32Array.of(x)).buffer);
			min = bound(lo);
			max = bound(hi);
		}
	}
	return page(Buffer.concat([rleLevels(defs, n), body]), n, { min, max, nulls });
}

/** Frames of pages already compressed (by their bytes), and how often the cache answered. */
const compressedPages = new Map<string, Buffer>();
const PAGE_CACHE_ENTRIES = Number(process.env.PAGE_CACHE_AB ?? 20_000);
export const pageCache = { hits: 0, misses: 0 };

/**
 * ZSTD of a page. A page of fewer than 64 bytes (a Comune file's dictionary pages, and the
 * data pages of columns that are one run) goes in a ZSTD frame holding one raw block, written
 * here: ZSTD would not make it smaller, and Node's `zstdCompressSync` costs ≈ 20 µs per call
 * whatever the size (≈ 30 such pages per Comune file, ~8,000 files per version).
 */
export function zstd(raw: Buffer): Buffer {
	if (raw.length >= 64) {
		// the same page bytes give the same frame: many pages repeat from file to file (a
		// Comune file's month, measure and level columns, its dictionary indices)
		const key = raw.toString('latin1');
		let frame = compressedPages.get(key);
		if (frame) {
			pageCache.hits++;
			return frame;
		}
		frame = zstdCompressSync(raw, { pledgedSrcSize: raw.length });
		pageCache.misses++;
		if (compressedPages.size >= PAGE_CACHE_ENTRIES) compressedPages.clear();
		compressedPages.set(key, frame);
		return frame;
	}
	const frame = Buffer.allocUnsafe(9 + raw.length);
	frame.writeUInt32LE(0xfd2fb528, 0); // magic
	frame[4] = 0x20; // single segment, 1-byte content size, no checksum, no dictionary
	frame[5] = raw.length;
	frame.writeUIntLE(1 | (raw.length << 3), 6, 3); // last block, raw, its size
	raw.copy(frame, 9);
	return frame;
}

/** More distinct strings than this in a column chunk: PLAIN (16-bit indices at most). */
const MAX_DICTIONARY = 65536;

/** A VARCHAR chunk with PLAIN values (never seen in the extracts: see MAX_DICTIONARY). */
function encodePlainStrings(vs: (Buffer | null)[], n: number): EncodedChunk {
	const defs = new Uint8Array(n);
	let nulls = 0;
	let size = 0;
	let min: Buffer | undefined;
	let max: Buffer | undefined;
	for (let i = 0; i < n; i++) {
		const v = vs[i];
		if (v === null || v === undefined) nulls++;
		else {
			defs[i] = 1;
			size += v.length;
			if (!min || v.compare(min, 4, min.length, 4, v.length) < 0) min = v;
			if (!max || v.compare(max, 4, max.length, 4, v.length) > 0) max = v;
		}
	}
	const body = Buffer.allocUnsafe(size);
	let o = 0;
	for (let i = 0; i < n; i++) {
		const v = vs[i];
		if (v) o += v.copy(body, o);
	}
	return page(Buffer.concat([rleLevels(defs, n), body]), n, { min: min?.subarray(4), max: max?.subarray(4), nulls });
}

/**
 * A VARCHAR[] column: repetition and definition levels (max 1 and 3), elements
 * dictionary-encoded. The rows share their lists (one array per distinct list): each list's
 * indices are computed once per chunk.
 */
function encodeList(values: (readonly string[] | null)[], n: number): EncodedChunk {
	let levels = 0;
	for (let i = 0; i < n; i++) levels += Math.max(1, values[i]?.length ?? 0);
	const reps = new Uint8Array(levels);
	const defs = new Uint8Array(levels);
	const idx = new Uint16Array(levels);
	const byText = new Map<string, number>();
	const dict: Buffer[] = [];
	const known = new Map<readonly string[], Uint16Array>();
	let count = 0;
	for (let i = 0, at = 0; i < n; i++) {
		const v = values[i];
		if (v === null || v === undefined) at++;
		else if (v.length === 0) defs[at++] = 1;
		else {
			for (let k = 0; k < v.length; k++, at++) {
				reps[at] = k === 0 ? 0 : 1;
				defs[at] = 3;
			}
			let cells = known.get(v);
			if (!cells) {
				cells = Uint16Array.from(v, (s) => {
					let k = byText.get(s);
					if (k === undefined) {
						if (dict.length === MAX_DICTIONARY) throw new Error('parquet-writer: more than 65,536 distinct list elements in a column chunk');
						byText.set(s, (k = dict.length));
						dict.push(plainString(s));
					}
					return k;
				});
				known.set(v, cells);
			}
			idx.set(cells, count);
			count += cells.length;
		}
	}
	const body = Buffer.concat([rleLevels(reps, levels), rleLevels(defs, levels), dictionaryIndices(idx, count, indexWidth(Math.max(1, dict.length)))]);
	return dictionaryChunk(dict, body, levels, null);
}

function page(raw: Buffer, numValues: number, stats: Stats | null, encoding: number = PLAIN): EncodedChunk {
	const compressed = zstd(raw);
	const header = new Compact()
		.int(1, PAGE.DATA)
		.int(2, raw.length)
		.int(3, compressed.length)
		.struct(5, (c) => c.int(1, numValues).int(2, encoding).int(3, RLE).int(4, RLE))
		.end();
	return { bytes: Buffer.concat([header, compressed]), uncompressed: header.length + raw.length, numValues, stats, dictionary: 0 };
}

/** The list columns' two inner schema elements, inserted after their group element. */
function withListChildren(columns: readonly ColumnSpecLite[]): (c: Compact) => void {
	type El = { name: string; type?: number; rep: number; children?: number; conv?: number };
	const els: El[] = [{ name: 'duckdb_schema', rep: 0, children: columns.length }];
	for (const col of columns) {
		if (col.type === 'VARCHAR[]') els.push({ name: col.name, rep: 1, children: 1, conv: CONVERTED.LIST }, { name: 'list', rep: 2, children: 1 }, { name: 'element', type: TYPE.BYTE_ARRAY, rep: 1, conv: CONVERTED.UTF8 });
		else {
			const [type, conv] = col.type === 'VARCHAR' ? [TYPE.BYTE_ARRAY, CONVERTED.UTF8] : col.type === 'DATE' ? [TYPE.INT32, CONVERTED.DATE] : col.type === 'INTEGER' ? [TYPE.INT32, CONVERTED.INT_32] : [TYPE.DOUBLE, undefined];
			els.push({ name: col.name, type, rep: 1, conv });
		}
	}
	return (c) =>
		c.structs(2, els, (s, e) => {
			if (e.type !== undefined) s.int(1, e.type);
			s.int(3, e.rep).bin(4, e.name);
			if (e.children !== undefined) s.int(5, e.children);
			if (e.conv !== undefined) s.int(6, e.conv);
		});
}
export interface EncodedFile {
	bytes: Buffer;
	rows: number;
}

/**
 * Row groups of an earlier file kept as they are: its bytes from the start to the end of the
 * last kept row group, and the kept groups' RowGroup structs from its footer (their offsets
 * stay right: the bytes keep their place).
 */
export interface KeptRowGroups {
	bytes: Buffer;
	groups: readonly Buffer[];
	rows: number;
}

/**
 * Encodes one Parquet file. `rowGroups` gives, per row group, its row count and a function
 * returning the values of column `k` for those rows; they follow the `kept` ones, if any.
 */
export function encodeParquet(columns: readonly ColumnSpecLite[], rowGroups: { rows: number; column: (k: number) => ColumnValues }[], kept?: KeptRowGroups): EncodedFile {
	const parts: Buffer[] = [kept ? kept.bytes : Buffer.from('PAR1')];
	let offset = parts[0]!.length;
	const groups: { rows: number; start: number; compressed: number; uncompressed: number; chunks: (EncodedChunk & { offset: number; col: ColumnSpecLite })[] }[] = [];
	for (const rg of rowGroups) {
		const chunks = columns.map((col, k) => {
			const values = rg.column(k);
			const chunk = col.type === 'VARCHAR[]' ? encodeList(values as (readonly string[] | null)[], rg.rows) : encodeFlat(col.type, values as Float64Array | (Buffer | null)[], rg.rows);
			const at = offset;
			parts.push(chunk.bytes);
			offset += chunk.bytes.length;
			return { ...chunk, offset: at, col };
		});
		groups.push({ rows: rg.rows, start: chunks[0]!.offset, compressed: offset - chunks[0]!.offset, uncompressed: chunks.reduce((s, c) => s + c.uncompressed, 0), chunks });
	}
	const meta = new Compact().int(1, 1);
	withListChildren(columns)(meta);
	const rows = (kept?.rows ?? 0) + groups.reduce((s, g) => s + g.rows, 0);
	meta
		.i64(3, rows)
		.rawThenStructs(4, kept?.groups ?? [], groups, (r, g) => {
			r.structs(1, g.chunks, (cc, ch) => {
				cc.i64(2, ch.offset).struct(3, (m) => {
					const list = ch.col.type === 'VARCHAR[]';
					m.int(1, list || ch.col.type === 'VARCHAR' ? TYPE.BYTE_ARRAY : ch.col.type === 'DOUBLE' ? TYPE.DOUBLE : TYPE.INT32)
						.ints(2, ch.dictionary ? [PLAIN, RLE, RLE_DICTIONARY] : [PLAIN, RLE])
						.strings(3, list ? [ch.col.name, 'list', 'element'] : [ch.col.name])
						.int(4, ZSTD)
						.i64(5, ch.numValues)
						.i64(6, ch.uncompressed)
						.i64(7, ch.bytes.length)
						.i64(9, ch.offset + ch.dictionary);
					if (ch.dictionary) m.i64(11, ch.offset);
					const st = ch.stats;
					if (st)
						m.struct(12, (s) => {
							// the deprecated min/max (signed order) only where it equals the typed order
							if (st.max && ch.col.type !== 'VARCHAR') s.bin(1, st.max).bin(2, st.min!);
							s.i64(3, st.nulls);
							if (st.max) s.bin(5, st.max).bin(6, st.min!);
						});
				});
			})
				.i64(2, g.uncompressed)
				.i64(3, g.rows)
				.i64(5, g.start)
				.i64(6, g.compressed);
		})
		.bin(6, 'Cruscotto data-pipeline');
	const footer = meta.end();
	const tail = Buffer.allocUnsafe(8);
	tail.writeUInt32LE(footer.length, 0);
	tail.write('PAR1', 4, 'latin1');
	parts.push(footer, tail);
	return { bytes: Buffer.concat(parts), rows };
}
