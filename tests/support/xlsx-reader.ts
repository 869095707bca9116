/**
 * Just enough of a .xlsx reader for tests: the zip's central directory (node:zlib inflates the
 * entries), then the first sheet's cells as strings or numbers (shared and inline strings).
 */
import { inflateRawSync } from 'node:zlib';

/** The files of a zip archive, by name. */
export function unzip(buf: Buffer): Map<string, Buffer> {
	const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
	if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
	const count = buf.readUInt16LE(eocd + 10);
	let at = buf.readUInt32LE(eocd + 16);
	const out = new Map<string, Buffer>();
	for (let i = 0; i < count; i++) {
		if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error('corrupt central directory');
		const method = buf.readUInt16LE(at + 10);
		const size = buf.readUInt32LE(at + 20);
		const nameLen = buf.readUInt16LE(at + 28);
		const extraLen = buf.readUInt16LE(at + 30);
		const commentLen = buf.readUInt16LE(at + 32);
		const local = buf.readUInt32LE(at + 42);
		const name = buf.subarray(at + 46, at + 46 + nameLen).toString('utf8');
		const dataAt = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
		const data = buf.subarray(dataAt, dataAt + size);
		out.set(name, method === 0 ? Buffer.from(data) : inflateRawSync(data));
		at += 46 + nameLen + extraLen + commentLen;
	}
	return out;
}

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
const texts = (xml: string) => [...xml.matchAll(/<t(?: [^>]*)?>([\s\S]*?)<\/t>/g)].map((m) => unescape(m[1])).join('');

/** The first worksheet as rows of cells: numbers stay numbers, everything else is its text. */
export function readFirstSheet(xlsx: Buffer): (string | number)[][] {
	return readSheet(xlsx, 0);
}

/** The number of worksheets in the file. */
export function sheetCount(xlsx: Buffer): number {
	return [...unzip(xlsx).keys()].filter((n) => /^xl\/worksheets\/sheet\d+\.xml$/.test(n)).length;
}

/** Worksheet `index` (0: the first) as rows of cells: numbers stay numbers, everything else is its text. */
export function readSheet(xlsx: Buffer, index: number): (string | number)[][] {
	const files = unzip(xlsx);
	const sheetName = [...files.keys()].filter((n) => /^xl\/worksheets\/sheet\d+\.xml$/.test(n)).sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]))[index];
	if (!sheetName) throw new Error(`no worksheet ${index + 1} in the file`);
	const shared = files.has('xl/sharedStrings.xml') ? [...files.get('xl/sharedStrings.xml')!.toString('utf8').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => texts(m[1])) : [];
	const rows: (string | number)[][] = [];
	for (const row of files.get(sheetName)!.toString('utf8').matchAll(/<row[^>]*>([\s\S]*?)<\/row>/g)) {
		const cells: (string | number)[] = [];
		for (const c of row[1].matchAll(/<c ([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
			const col = /r="([A-Z]+)\d+"/.exec(c[1])![1];
			const index = [...col].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
			const type = /t="([^"]+)"/.exec(c[1])?.[1];
			const v = /<v>([\s\S]*?)<\/v>/.exec(c[2] ?? '')?.[1];
			cells[index] = type === 's' ? shared[Number(v)] : type === 'inlineStr' ? texts(c[2] ?? '') : type === 'str' ? unescape(v ?? '') : v === undefined ? '' : Number(v);
		}
		rows.push(Array.from(cells, (x) => x ?? ''));
	}
	return rows;
}
