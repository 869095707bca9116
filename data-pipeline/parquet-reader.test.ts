/**
 * parquet-reader against DuckDB: random files from encodeParquet (NULLs, empty and NULL
 * lists, 16-bit dictionary indices, several row groups, reads from a later group) and a real
 * small publication must decode to DuckDB's values exactly; a corrupted page and files
 * outside the writer's subset must be Errors.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { build } from './build.ts';
import { openDb, sqlString, type Db } from './db.ts';
import { silentLogger } from './log.ts';
import { footerOf, rowGroupsOfFooter } from './parquet-footer.ts';
import { readRowGroups, type DecodedColumn } from './parquet-reader.ts';
import { encodeParquet, plainString, type ColumnSpecLite } from './parquet-writer.ts';
import { household, tempDir, tinyRegistry, writeMicrodataCsv, type HouseholdRow } from './test-support.ts';

const COLUMNS: ColumnSpecLite[] = [
	{ name: 'territory_id', type: 'VARCHAR' },
	{ name: 'month', type: 'DATE' },
	{ name: 'nuclei', type: 'INTEGER' },
	{ name: 'importo_medio', type: 'DOUBLE' },
	{ name: 'soppressi_primari', type: 'VARCHAR[]' },
	{ name: 'nome', type: 'VARCHAR' }
];

interface Row {
	territory_id: string | null;
	month: number | null;
	nuclei: number | null;
	importo_medio: number | null;
	soppressi_primari: string[] | null;
	nome: string | null;
}

/** Strings from a pool of 400 (past 256 distinct in a chunk: 16-bit indices), accents and '' included. */
const word = fc.oneof(fc.constantFrom('Agliè', 'Forlì-Cesena', 'Ñandú', '', 'c:001001', '日本'), fc.integer({ min: 0, max: 399 }).map((i) => `t${i}`));
const row = fc.record({
	territory_id: fc.option(word, { nil: null }),
	month: fc.option(fc.integer({ min: -1000, max: 30000 }), { nil: null }),
	nuclei: fc.option(fc.integer({ min: -2147483648, max: 2147483647 }), { nil: null }),
	importo_medio: fc.option(fc.double({ noNaN: true }), { nil: null }),
	soppressi_primari: fc.option(fc.array(word, { maxLength: 4 }), { nil: null }),
	nome: fc.option(fc.integer({ min: 0, max: 399 }).map((i) => `nome ${i}`), { nil: null })
});

function encode(rows: Row[], group: number): Buffer {
	const groups = [];
	for (let s = 0; s === 0 || s < rows.length; s += group) {
		const part = rows.slice(s, s + group);
		groups.push({
			rows: part.length,
			column: (k: number) => {
				const name = COLUMNS[k]!.name as keyof Row;
				if (name === 'territory_id' || name === 'nome') return part.map((r) => (r[name] === null ? null : plainString(r[name])));
				if (name === 'soppressi_primari') return part.map((r) => r.soppressi_primari);
				return Float64Array.from(part, (r) => (r[name] === null ? NaN : (r[name] as number)));
			}
		});
	}
	return encodeParquet(COLUMNS, groups).bytes;
}

/** DuckDB's rows of `file` as columns in our representation (DATE as days, NULL number as NaN). */
async function duckColumns(db: Db, file: string): Promise<{ names: string[]; columns: DecodedColumn[] }> {
	const types = await db.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`);
	const select = types.map(({ column_name: c, column_type: t }) => (t === 'DATE' ? `CAST("${c}" - DATE '1970-01-01' AS DOUBLE) AS "${c}"` : `"${c}"`));
	const rows = await db.all<Record<string, unknown>>(`SELECT ${select.join(', ')} FROM read_parquet(${sqlString(file)})`);
	const columns = types.map(({ column_name: c, column_type: t }) => {
		const vs = rows.map((r) => r[c]);
		if (t === 'VARCHAR' || t === 'VARCHAR[]') return vs as DecodedColumn;
		if (!['DATE', 'INTEGER', 'DOUBLE'].includes(t)) throw new Error(`${file}: unexpected type ${t}`);
		return Float64Array.from(vs, (v) => (v === null ? NaN : Number(v)));
	});
	return { names: types.map((t) => t.column_name), columns };
}

function slice(c: DecodedColumn, from: number): DecodedColumn {
	return c instanceof Float64Array ? c.subarray(from) : c.slice(from);
}

describe('parquet-reader: the writer subset, decoded as DuckDB decodes it', () => {
	const dir = tempDir();
	let db: Db;
	beforeAll(async () => {
		db = await openDb({ threads: 1 });
		return () => db.close();
	});

	test('random files: values, NULLs, empty and NULL lists, 16-bit and odd-width indices, row groups, reads from a later group', async () => {
		let n = 0;
		await fc.assert(
			fc.asyncProperty(fc.array(row, { maxLength: 80 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 10 }), fc.boolean(), async (distinct, group, repeat, minimal) => {
				// repeated rows give RLE runs; the 16-bit case needs > 256 distinct strings in one chunk
				const rows = distinct.flatMap((r) => Array<Row>(repeat).fill(r));
				// the writer's experiment switch: dictionary indices at their minimal bit width (1–9 bits)
				if (minimal) process.env.PW_MIN_WIDTH = '1';
				let bytes: Buffer;
				try {
					bytes = encode(rows, group * repeat);
				} finally {
					delete process.env.PW_MIN_WIDTH;
				}
				const file = join(dir, `r${n++}.parquet`);
				writeFileSync(file, bytes);
				const want = await duckColumns(db, file);
				const got = readRowGroups(bytes);
				expect(got.rows).toBe(rows.length);
				expect(got.names).toEqual(want.names);
				expect(got.columns).toEqual(want.columns);
				const { groups } = rowGroupsOfFooter(footerOf(bytes));
				for (const from of [1, groups.length - 1, groups.length]) {
					if (from < 1) continue;
					const skip = groups.slice(0, from).reduce((s, g) => s + g.rows, 0);
					const later = readRowGroups(bytes, from);
					expect(later.rows).toBe(rows.length - skip);
					expect(later.columns).toEqual(want.columns.map((c) => slice(c, skip)));
				}
			}),
			{ numRuns: 60 }
		);
		// one chunk with > 256 distinct strings (16-bit indices) among the runs
		const many = Array.from({ length: 600 }, (_, i): Row => ({ territory_id: `t${i}`, month: i, nuclei: i % 7 ? i : null, importo_medio: i / 3, soppressi_primari: i % 5 ? [`e${i}`, `e${i + 1}`] : i % 2 ? [] : null, nome: i % 3 ? `n${i % 300}` : null }));
		const bytes = encode(many, 400);
		const file = join(dir, 'wide.parquet');
		writeFileSync(file, bytes);
		expect(readRowGroups(bytes).columns).toEqual((await duckColumns(db, file)).columns);
	}, 120_000);

	describe('a real publication', () => {
		const root = tempDir();
		const out = join(root, 'extracts');
		beforeAll(async () => {
			const rows: HouseholdRow[] = [];
			let id = 1;
			for (const [m, month] of ['2024-11', '2024-12', '2025-01', '2025-02'].entries())
				for (const [i, comune] of ['001001', '001002', '001003', '002001', '007001'].entries())
					for (let k = 0; k < 4 + ((i + m) * 7) % 11; k++) rows.push(household(month, 'ADI', comune, id++, id * 5 + i));
			mkdirSync(join(root, 'md'));
			writeMicrodataCsv(join(root, 'md', 'm.csv'), rows);
			await build({ microdata: join(root, 'md'), out, registry: tinyRegistry(), lastMonth: '2025-02', log: silentLogger });
		}, 60_000);

		test('every extract, every row group from which it can be read, equals DuckDB', async () => {
			const files: string[] = [];
			const walk = (d: string): void => {
				for (const f of readdirSync(d)) {
					if (f.startsWith('.')) continue; // the build's cache, written by DuckDB
					const p = join(d, f);
					if (statSync(p).isDirectory()) walk(p);
					else if (f.endsWith('.parquet')) files.push(p);
				}
			};
			walk(out);
			expect(files.length).toBeGreaterThan(5);
			expect(files.some((f) => f.endsWith('/italia.parquet'))).toBe(true);
			let lists = 0;
			let multi = 0;
			for (const file of files) {
				const bytes = readFileSync(file);
				if (file.endsWith('/italia.parquet')) {
					// written by DuckDB's COPY (numbers dictionary-encoded): outside the subset, refused
					expect(() => readRowGroups(bytes)).toThrow(/parquet-reader: column "\w+", row group 0: /);
					continue;
				}
				const want = await duckColumns(db, file);
				const got = readRowGroups(bytes);
				expect(got.names, file).toEqual(want.names);
				expect(got.columns, file).toEqual(want.columns);
				lists += got.columns.filter((c) => Array.isArray(c) && c.some((v) => Array.isArray(v) && v.length)).length;
				const { groups } = rowGroupsOfFooter(footerOf(bytes));
				if (groups.length > 1) multi++;
				for (let from = 1, skip = groups[0]!.rows; from < groups.length; skip += groups[from++]!.rows)
					expect(readRowGroups(bytes, from).columns, `${file} from ${from}`).toEqual(want.columns.map((c) => slice(c, skip)));
			}
			// the publication has suppressed cells: the list columns are exercised
			expect(lists).toBeGreaterThan(0);
			// ATS/Comune files break their row groups before the last month
			expect(multi).toBeGreaterThan(0);
		});
	});

	describe('rejections', () => {
		const cols: ColumnSpecLite[] = [
			{ name: 'nome', type: 'VARCHAR' },
			{ name: 'importo', type: 'DOUBLE' }
		];
		const file = (n: number) =>
			encodeParquet(cols, [{ rows: n, column: (k) => (k === 0 ? Array.from({ length: n }, (_, i) => plainString(`n${i % 3}`)) : Float64Array.from({ length: n }, (_, i) => i * 1.5)) }]).bytes;
		/** Offsets of the ZSTD frames (pages) of a file, in order: the dictionary and data page of `nome`, then `importo`'s. */
		const frames = (b: Buffer) => [...Array(b.length - 4).keys()].filter((i) => b.readUInt32LE(i) === 0xfd2fb528);

		test('a corrupted compressed page: an Error naming its column', () => {
			const bytes = file(200);
			expect(readRowGroups(bytes).columns[1]).toEqual(Float64Array.from({ length: 200 }, (_, i) => i * 1.5));
			const at = frames(bytes);
			expect(at).toHaveLength(3);
			bytes.fill(0xff, at[2]! + 12, at[2]! + 40);
			expect(() => readRowGroups(bytes)).toThrow(/column "importo", row group 0/);
		});

		test('a corrupted raw page (levels that run past the page): an Error naming its column', () => {
			const bytes = file(20);
			const at = frames(bytes);
			// nome's data page: a raw block (9-byte frame header), levels' 4-byte length, then the run header
			expect(bytes[at[1]! + 4]).toBe(0x20);
			bytes[at[1]! + 9 + 4] = 0x7e;
			expect(() => readRowGroups(bytes)).toThrow(/column "nome", row group 0: .*run/);
		});

		test('another codec, a type outside the subset, a file that is not Parquet: Errors', async () => {
			for (const codec of ['snappy', 'uncompressed', 'gzip']) {
				const path = join(dir, `${codec}.parquet`);
				await db.run(`COPY (SELECT 'a' || i AS nome, (i * 1.5)::DOUBLE AS importo FROM range(10) t(i)) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION ${codec})`);
				expect(() => readRowGroups(readFileSync(path))).toThrow(/column "nome", row group 0: unsupported codec/);
			}
			const big = join(dir, 'bigint.parquet');
			await db.run(`COPY (SELECT i::BIGINT AS n FROM range(10) t(i)) TO ${sqlString(big)} (FORMAT parquet, COMPRESSION zstd)`);
			expect(() => readRowGroups(readFileSync(big))).toThrow(/column "n" has an unsupported type/);
			expect(() => readRowGroups(Buffer.from('PAR1 not really PAR1'))).toThrow(/footer/);
			expect(() => readRowGroups(file(5), 2)).toThrow(RangeError);
		});
	});
});
