/**
 * A decoder of exactly the Parquet files parquet-writer.ts produces (decision 0023): flat
 * OPTIONAL INT32 (plain, DATE, INT_32), DOUBLE and BYTE_ARRAY UTF8 columns and the three-level
 * LIST of OPTIONAL UTF8, ZSTD, data pages v1 with RLE levels, numbers PLAIN, strings PLAIN or
 * dictionary-encoded. Anything else (another codec, encoding, page type or schema shape) is an
 * Error, never a guess. It exists for verify: DuckDB costs ≈ 1–2 ms per file to open one,
 * this a fraction of that over the ~8,500 small extracts of a version.
 */
import { isUtf8 } from 'node:buffer';
import { zstdDecompressSync } from 'node:zlib';
import { footerOf, Reader, schemaOfFooter, type SchemaElement } from './parquet-footer.ts';
import { CONVERTED, REPETITION, THRIFT, TYPE } from './parquet-format.ts';

export type DecodedColumn = Float64Array /* INT32, DATE (days), DOUBLE; NaN = NULL */ | (string | null)[] /* VARCHAR */ | (string[] | null)[] /* VARCHAR[] */;

type Kind = 'int32' | 'double' | 'string' | 'list';
interface Leaf {
	name: string;
	kind: Kind;
	path: string;
}

const { I32, I64, BINARY, LIST, STRUCT } = THRIFT;
const ENC = { PLAIN: 0, PLAIN_DICTIONARY: 2, RLE: 3, RLE_DICTIONARY: 8 } as const;
const PAGE = { DATA: 0, DICTIONARY: 2 } as const;
const ZSTD = 6;
const LOGICAL = { STRING: 1, LIST: 3, DATE: 6, INTEGER: 10 } as const;

/** The top-level columns of the schema, each checked against the writer's subset. */
function leavesOf(schema: SchemaElement[]): Leaf[] {
	const root = schema[0];
	if (!root || root.type !== undefined || root.children === undefined) throw new Error('parquet-reader: the schema has no root group');
	const leaves: Leaf[] = [];
	let i = 1;
	for (let c = 0; c < root.children; c++) {
		const e = schema[i++];
		if (!e) throw new Error('parquet-reader: the schema ends early');
		const what = `column "${e.name}"`;
		if (e.repetition !== REPETITION.OPTIONAL) throw new Error(`parquet-reader: ${what} is not OPTIONAL`);
		if (e.type === undefined) {
			const list = schema[i++];
			const el = schema[i++];
			const isList =
				e.converted === CONVERTED.LIST && (e.logical ?? LOGICAL.LIST) === LOGICAL.LIST && e.children === 1 &&
				list?.type === undefined && list?.repetition === REPETITION.REPEATED && list.children === 1 &&
				el?.type === TYPE.BYTE_ARRAY && el.repetition === REPETITION.OPTIONAL && el.children === undefined && isString(el);
			if (!isList) throw new Error(`parquet-reader: ${what} is a group other than a LIST of OPTIONAL UTF8`);
			leaves.push({ name: e.name, kind: 'list', path: `${e.name}.${list.name}.${el.name}` });
			continue;
		}
		if (e.children !== undefined) throw new Error(`parquet-reader: ${what} has children and a type`);
		let kind: Kind | undefined;
		if (e.type === TYPE.INT32) {
			const ok = (e.converted === undefined && e.logical === undefined) || (e.converted === CONVERTED.DATE && (e.logical ?? LOGICAL.DATE) === LOGICAL.DATE) || (e.converted === CONVERTED.INT_32 && (e.logical ?? LOGICAL.INTEGER) === LOGICAL.INTEGER);
			if (ok) kind = 'int32';
		} else if (e.type === TYPE.DOUBLE) {
			if (e.converted === undefined && e.logical === undefined) kind = 'double';
		} else if (e.type === TYPE.BYTE_ARRAY && isString(e)) kind = 'string';
		if (!kind) throw new Error(`parquet-reader: ${what} has an unsupported type (physical ${e.type}, converted ${e.converted}, logical ${e.logical})`);
		leaves.push({ name: e.name, kind, path: e.name });
	}
	if (i !== schema.length) throw new Error('parquet-reader: the schema has elements past its root\'s children');
	return leaves;
}

function isString(e: SchemaElement): boolean {
	return e.converted === CONVERTED.UTF8 && (e.logical ?? LOGICAL.STRING) === LOGICAL.STRING;
}

interface Chunk {
	type: number;
	codec: number;
	path: string;
	values: number;
	compressed: number;
	dataOffset: number;
	dictionaryOffset: number;
	external: boolean;
}

/** Row count and column chunks of each row group (FileMetaData field 4). */
function rowGroupsOf(footer: Buffer): { rows: number; chunks: Chunk[] }[] {
	const r = new Reader(footer);
	const groups: { rows: number; chunks: Chunk[] }[] = [];
	r.struct((id, type) => {
		if (id !== 4 || type !== LIST) return false;
		const { size } = r.list();
		for (let g = 0; g < size; g++) {
			const group = { rows: -1, chunks: [] as Chunk[] };
			r.struct((f, t) => {
				if (f === 1 && t === LIST) {
					const { size: n } = r.list();
					for (let k = 0; k < n; k++) group.chunks.push(columnChunk(r));
				} else if (f === 3 && t === I64) group.rows = r.zigzag();
				else return false;
				return true;
			});
			groups.push(group);
		}
		return true;
	});
	return groups;
}

function columnChunk(r: Reader): Chunk {
	const c: Chunk = { type: -1, codec: -1, path: '', values: -1, compressed: -1, dataOffset: -1, dictionaryOffset: -1, external: false };
	r.struct((f, t) => {
		if (f === 1 && t === BINARY) c.external = r.binary().length > 0;
		else if (f === 3 && t === STRUCT)
			r.struct((m, mt) => {
				if (m === 1 && mt === I32) c.type = r.zigzag();
				else if (m === 3 && mt === LIST) {
					const { size } = r.list();
					const parts: string[] = [];
					for (let i = 0; i < size; i++) parts.push(r.binary().toString('utf8'));
					c.path = parts.join('.');
				} else if (m === 4 && mt === I32) c.codec = r.zigzag();
				else if (m === 5 && mt === I64) c.values = r.zigzag();
				else if (m === 7 && mt === I64) c.compressed = r.zigzag();
				else if (m === 9 && mt === I64) c.dataOffset = r.zigzag();
				else if (m === 11 && mt === I64) c.dictionaryOffset = r.zigzag();
				else return false;
				return true;
			});
		else return false;
		return true;
	});
	return c;
}

/** The rows of row groups [fromGroup, end) of a whole Parquet file's bytes, column by column in schema order (the leaf order of the schema, a LIST column as one column). */
export function readRowGroups(bytes: Buffer, fromGroup = 0): { rows: number; names: string[]; columns: DecodedColumn[] } {
	if (bytes.length < 12 || bytes.readUInt32LE(0) !== 0x31524150) throw new Error('parquet-reader: not a Parquet file (no PAR1 at the start)');
	const footer = footerOf(bytes);
	const leaves = leavesOf(schemaOfFooter(footer));
	const groups = rowGroupsOf(footer);
	if (!Number.isInteger(fromGroup) || fromGroup < 0 || fromGroup > groups.length) throw new RangeError(`parquet-reader: row group ${fromGroup} of a file with ${groups.length}`);
	let rows = 0;
	for (let g = fromGroup; g < groups.length; g++) rows += groups[g]!.rows;
	const where = (g: number, k: number) => `parquet-reader: column "${leaves[k]!.name}", row group ${g}`;
	const chunks: Page[][] = [];
	for (let g = fromGroup; g < groups.length; g++) {
		const group = groups[g]!;
		if (group.rows < 0) throw new Error(`parquet-reader: row group ${g} has no row count`);
		if (group.chunks.length !== leaves.length) throw new Error(`parquet-reader: row group ${g} has ${group.chunks.length} column chunks for ${leaves.length} columns`);
		for (let k = 0; k < leaves.length; k++) {
			try {
				chunks.push(pagesOf(bytes, group.chunks[k]!, leaves[k]!, g, k));
			} catch (e) {
				throw new Error(`${where(g, k)}: ${(e as Error).message}`, { cause: e });
			}
		}
	}
	decompress(chunks, where);
	const columns: DecodedColumn[] = leaves.map((l) => (l.kind === 'int32' || l.kind === 'double' ? new Float64Array(rows) : new Array(rows)));
	let at = 0;
	for (let g = fromGroup, i = 0; g < groups.length; g++) {
		const group = groups[g]!;
		for (let k = 0; k < leaves.length; k++) {
			try {
				readChunk(chunks[i++]!, group.chunks[k]!, leaves[k]!, columns[k]!, at, group.rows);
			} catch (e) {
				throw new Error(`${where(g, k)}: ${(e as Error).message}`, { cause: e });
			}
		}
		at += group.rows;
	}
	return { rows, names: leaves.map((l) => l.name), columns };
}

const PHYSICAL: Record<Kind, number> = { int32: TYPE.INT32, double: TYPE.DOUBLE, string: TYPE.BYTE_ARRAY, list: TYPE.BYTE_ARRAY };

interface Page {
	h: PageHeader;
	/** The compressed bytes (one ZSTD frame), and what they hold once decompressed. */
	src: Buffer;
	content: Buffer | null;
	g: number;
	k: number;
}

/** The pages of a column chunk (headers read, content not yet decompressed unless stored raw). */
function pagesOf(bytes: Buffer, c: Chunk, leaf: Leaf, g: number, k: number): Page[] {
	if (c.external) throw new Error('column chunk in another file');
	if (c.path !== leaf.path) throw new Error(`chunk path "${c.path}" where the schema has "${leaf.path}"`);
	if (c.type !== PHYSICAL[leaf.kind]) throw new Error(`chunk of physical type ${c.type}`);
	if (c.codec !== ZSTD) throw new Error(`unsupported codec ${c.codec} (only ZSTD)`);
	let p = c.dictionaryOffset >= 0 ? c.dictionaryOffset : c.dataOffset;
	const end = p + c.compressed;
	if (p < 4 || c.compressed <= 0 || end > bytes.length - 8) throw new Error('chunk offsets outside the file');
	const pages: Page[] = [];
	const r = new Reader(bytes);
	while (p < end) {
		r.at = p;
		const h = pageHeader(r);
		p = r.at;
		if (p + h.compressed > end) throw new Error('page past the end of the chunk');
		const src = bytes.subarray(p, p + h.compressed);
		p += h.compressed;
		const page: Page = { h, src, content: null, g, k };
		frame(page);
		pages.push(page);
	}
	if (p !== end) throw new Error("pages past the chunk's total_compressed_size");
	return pages;
}

/**
 * The pages zlib must decode, one call each: zlib's zstdDecompressSync stops after the first
 * frame (the rest of a concatenation is dropped, silently), so they cannot share a call.
 */
function decompress(chunks: Page[][], where: (g: number, k: number) => string): void {
	for (const pages of chunks) for (const page of pages) if (!page.content) one(page, where);
}

function one(page: Page, where: (g: number, k: number) => string): void {
	try {
		page.content = zstdDecompressSync(page.src);
	} catch (e) {
		throw new Error(`${where(page.g, page.k)}: ZSTD: ${(e as Error).message}`, { cause: e });
	}
}

/** Decodes one column chunk's pages into `out` from row `at`: `rows` rows. */
function readChunk(pages: Page[], c: Chunk, leaf: Leaf, out: DecodedColumn, at: number, rows: number): void {
	const state: ListState = { row: at - 1, list: null, end: at + rows };
	let dict: string[] | null = null;
	let values = 0;
	for (const { h, content } of pages) {
		const page = content!;
		if (page.length !== h.uncompressed) throw new Error(`page of ${page.length} bytes, its header says ${h.uncompressed}`);
		if (h.type === PAGE.DICTIONARY) {
			if (dict || values) throw new Error('a dictionary page after the first page');
			if (leaf.kind !== 'string' && leaf.kind !== 'list') throw new Error('a dictionary page in a numeric column');
			if (h.encoding !== ENC.PLAIN && h.encoding !== ENC.PLAIN_DICTIONARY) throw new Error(`dictionary page encoding ${h.encoding}`);
			dict = plainStrings(page, 0, page.length, h.values);
			continue;
		}
		if (h.defEncoding !== ENC.RLE || h.repEncoding !== ENC.RLE) throw new Error(`level encodings ${h.defEncoding}/${h.repEncoding} (only RLE)`);
		const dictionary = h.encoding === ENC.RLE_DICTIONARY || h.encoding === ENC.PLAIN_DICTIONARY;
		if (!dictionary && h.encoding !== ENC.PLAIN) throw new Error(`unsupported encoding ${h.encoding}`);
		if (dictionary && !dict) throw new Error('dictionary-encoded page without a dictionary page');
		if (!dictionary && leaf.kind === 'list') throw new Error('PLAIN list elements');
		if (leaf.kind === 'list') listPage(page, h.values, dict!, out as (string[] | null)[], state);
		else {
			if (at + values + h.values > state.end) throw new Error('more values than the row group has rows');
			flatPage(page, h.values, leaf.kind, dictionary ? dict : null, out, at + values);
		}
		values += h.values;
	}
	if (values !== c.values) throw new Error(`${values} values in the pages, ${c.values} in the footer`);
	if (leaf.kind === 'list' ? state.row + 1 !== state.end : values !== rows) throw new Error(`the pages hold ${leaf.kind === 'list' ? state.row + 1 - at : values} rows, the row group ${rows}`);
}

interface PageHeader {
	type: number;
	uncompressed: number;
	compressed: number;
	values: number;
	encoding: number;
	defEncoding: number;
	repEncoding: number;
}

function pageHeader(r: Reader): PageHeader {
	const h: PageHeader = { type: -1, uncompressed: -1, compressed: -1, values: -1, encoding: -1, defEncoding: -1, repEncoding: -1 };
	let body = false;
	r.struct((f, t) => {
		if (f === 1 && t === I32) h.type = r.zigzag();
		else if (f === 2 && t === I32) h.uncompressed = r.zigzag();
		else if (f === 3 && t === I32) h.compressed = r.zigzag();
		else if ((f === 5 || f === 7) && t === STRUCT) {
			if (body) throw new Error('page header with two bodies');
			body = true;
			if ((f === 5) !== (h.type === PAGE.DATA)) throw new Error(`page type ${h.type} with header field ${f}`);
			r.struct((m, mt) => {
				if (m === 1 && mt === I32) h.values = r.zigzag();
				else if (m === 2 && mt === I32) h.encoding = r.zigzag();
				else if (f === 5 && m === 3 && mt === I32) h.defEncoding = r.zigzag();
				else if (f === 5 && m === 4 && mt === I32) h.repEncoding = r.zigzag();
				else return false;
				return true;
			});
		} else return false;
		return true;
	});
	if (h.type !== PAGE.DATA && h.type !== PAGE.DICTIONARY) throw new Error(`unsupported page type ${h.type} (only data page v1 and dictionary)`);
	if (!body || h.values < 0 || h.encoding < 0 || h.uncompressed < 0 || h.compressed < 0) throw new Error('incomplete page header');
	return h;
}

/**
 * The content of a page whose ZSTD frame holds only raw/RLE blocks (the writer's pages under
 * 64 bytes: one raw block), read here — a view of the file's bytes, no zlib call (≈ 20 µs
 * each). Anything else (compressed blocks, several frames, a checksum, a dictionary) is left
 * to zlib.
 */
function frame(page: Page): void {
	const src = page.src;
	if (src.length < 6 || src.readUInt32LE(0) !== 0xfd2fb528) return;
	const fhd = src[4]!;
	if (fhd & 0x0f) return;
	const single = (fhd >> 5) & 1;
	const fcsBytes = [single, 2, 4, 8][fhd >> 6]!;
	let p = 5 + (single ? 0 : 1);
	if (!fcsBytes || p + fcsBytes > src.length) return;
	const fcs = fcsBytes === 1 ? src[p]! : fcsBytes === 2 ? src.readUInt16LE(p) + 256 : fcsBytes === 4 ? src.readUInt32LE(p) : Number(src.readBigUInt64LE(p));
	p += fcsBytes;
	const parts: Buffer[] = [];
	let compressed = false;
	for (;;) {
		if (p + 3 > src.length) return;
		const bh = src[p]! | (src[p + 1]! << 8) | (src[p + 2]! << 16);
		const type = (bh >> 1) & 3;
		const n = bh >>> 3;
		p += 3;
		if (type === 0 || type === 2) {
			if (type === 0) parts.push(src.subarray(p, p + n));
			else compressed = true;
			p += n;
		} else if (type === 1) {
			parts.push(Buffer.alloc(n, src[p]!));
			p += 1;
		} else return;
		if (bh & 1) break;
	}
	if (p !== src.length || fcs !== page.h.uncompressed) return;
	if (compressed) return;
	const out = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
	if (out.length === fcs) page.content = out;
}

/** `n` PLAIN BYTE_ARRAY values of b[p, end) as strings (UTF-8 checked). */
function plainStrings(b: Buffer, p: number, end: number, n: number): string[] {
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
function flatPage(b: Buffer, n: number, kind: Kind, dict: string[] | null, out: DecodedColumn, at: number): void {
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
interface ListState {
	row: number;
	list: string[] | null;
	end: number;
}

function listPage(b: Buffer, n: number, dict: string[], out: (string[] | null)[], s: ListState): void {
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
