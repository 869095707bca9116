/**
 * A decoder of exactly the Parquet files parquet-writer.ts produces (decision 0023): flat
 * OPTIONAL INT32 (plain, DATE, INT_32), DOUBLE and BYTE_ARRAY UTF8 columns and the three-level
 * LIST of OPTIONAL UTF8, ZSTD, data pages v1 with RLE levels, numbers PLAIN, strings PLAIN or
 * dictionary-encoded. Anything else (another codec, encoding, page type or schema shape) is an
 * Error, never a guess. It exists for verify: DuckDB costs ≈ 1–2 ms per file to open one of
 * the ~8,500 small extracts of a version; this ≈ 0.7 ms for a Comune file (2 row groups, 564
 * rows), of which ≈ 0.4–0.6 ms are zlib's ≈ 50 ZSTD calls (≈ 10–20 µs each, whatever the size).
 */
import { ZSTDDecoder } from 'zstddec';
import { footerOf, Reader, schemaOfFooter, type SchemaElement } from './parquet-footer.ts';
import { flatPage, listPage, plainStrings, type Kind, type ListState } from './parquet-page.ts';
import { CONVERTED, REPETITION, THRIFT, TYPE } from './parquet-format.ts';

export type DecodedColumn = Float64Array /* INT32, DATE (days), DOUBLE; NaN = NULL */ | (string | null)[] /* VARCHAR */ | (string[] | null)[] /* VARCHAR[] */;

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
 * The pages that hold compressed ZSTD blocks, one call each. zstddec (the reference decoder
 * in WebAssembly) rather than zlib's zstdDecompressSync: a small page costs it 3-7 µs against
 * 12-27 µs (zlib builds a stream object per call), and verify decodes ~175,000 pages per worker
 * in a national build (decision 0027, addendum).
 */
function decompress(chunks: Page[][], where: (g: number, k: number) => string): void {
	for (const pages of chunks) for (const page of pages) if (!page.content) one(page, where);
}

/** No page of an extract comes near this; a larger claim is a corrupt header, not an allocation to try. */
const MAX_PAGE = 256 << 20;
const zstd = new ZSTDDecoder();
await zstd.init();

function one(page: Page, where: (g: number, k: number) => string): void {
	if (page.h.uncompressed > MAX_PAGE) throw new Error(`${where(page.g, page.k)}: a page header claims ${page.h.uncompressed} bytes`);
	let out: Uint8Array;
	try {
		out = zstd.decode(page.src, page.h.uncompressed);
	} catch (e) {
		throw new Error(`${where(page.g, page.k)}: ZSTD: ${(e as Error).message}`, { cause: e });
	}
	// the decoder returns what it wrote: a corrupt or short frame gives fewer bytes (or an error code as a size)
	if (out.length !== page.h.uncompressed) throw new Error(`${where(page.g, page.k)}: ZSTD: a corrupt frame (${out.length} bytes decoded, the page header says ${page.h.uncompressed})`);
	page.content = Buffer.from(out.buffer, out.byteOffset, out.length);
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
