import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zstdDecompressSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { openDb, sqlString } from './db.ts';
import { encodeParquet, pageCache, plainString, zstd, type ColumnSpecLite } from './parquet-writer.ts';
import { tempDir } from './test-support.ts';

const COLUMNS: ColumnSpecLite[] = [
	{ name: 'territory_id', type: 'VARCHAR' },
	{ name: 'month', type: 'DATE' },
	{ name: 'nuclei', type: 'INTEGER' },
	{ name: 'importo_medio', type: 'DOUBLE' },
	{ name: 'soppressi_primari', type: 'VARCHAR[]' }
];

interface Row {
	territory_id: string | null;
	month: number;
	nuclei: number | null;
	importo_medio: number | null;
	soppressi_primari: string[] | null;
}

const row = fc.record({
	territory_id: fc.option(fc.constantFrom('c:001001', 'it', 'r:01', 'Agliè', 'Forlì-Cesena', 'Ñandú', ''), { nil: null }),
	month: fc.integer({ min: 17000, max: 21000 }),
	nuclei: fc.option(fc.integer({ min: -2147483648, max: 2147483647 }), { nil: null }),
	importo_medio: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
	soppressi_primari: fc.option(fc.array(fc.constantFrom('nuclei', 'persone', 'importo_medio'), { maxLength: 3 }), { nil: null })
});

/** Encodes `rows` in row groups of `group` rows, as the extract writer does. */
function encode(rows: Row[], group: number): Buffer {
	const groups = [];
	for (let s = 0; s === 0 || s < rows.length; s += group) {
		const part = rows.slice(s, s + group);
		groups.push({
			rows: part.length,
			column: (k: number) => {
				const name = COLUMNS[k]!.name as keyof Row;
				if (name === 'territory_id') return part.map((r) => (r.territory_id === null ? null : plainString(r.territory_id)));
				if (name === 'soppressi_primari') return part.map((r) => r.soppressi_primari);
				return Float64Array.from(part, (r) => (r[name] === null ? NaN : (r[name] as number)));
			}
		});
	}
	return encodeParquet(COLUMNS, groups).bytes;
}

describe('parquet-writer: DuckDB reads back what was written', () => {
	const dir = tempDir();

	test('values, NULLs, lists and row groups round-trip; filtered reads (statistics) give the same rows', async () => {
		const db = await openDb();
		try {
			let n = 0;
			await fc.assert(
				// each row repeated: runs of ≥ 8 equal values take the RLE side of the dictionary indices
				fc.asyncProperty(fc.array(row, { minLength: 0, maxLength: 60 }), fc.integer({ min: 1, max: 25 }), fc.integer({ min: 1, max: 12 }), async (distinct, group, repeat) => {
					const rows = distinct.flatMap((r) => Array.from({ length: repeat }, () => r));
					const file = join(dir, `f${n++}.parquet`);
					writeFileSync(file, encode(rows, group));
					const got = await db.all<Record<string, unknown>>(
						`SELECT territory_id, (month - DATE '1970-01-01')::INTEGER AS month, nuclei, importo_medio, soppressi_primari FROM read_parquet(${sqlString(file)})`
					);
					expect(got.map((r) => ({ ...r, soppressi_primari: r.soppressi_primari === null ? null : [...(r.soppressi_primari as string[])] }))).toEqual(rows);
					// min/max statistics decide which row groups a filtered read skips: a wrong bound would lose rows
					for (const probe of rows.slice(0, 3)) {
						const [{ a }] = await db.all<{ a: bigint }>(`SELECT count(*) AS a FROM read_parquet(${sqlString(file)}) WHERE month = DATE '1970-01-01' + ${probe.month}::INTEGER`);
						expect(Number(a)).toBe(rows.filter((r) => r.month === probe.month).length);
						if (probe.nuclei !== null) {
							const [{ b }] = await db.all<{ b: bigint }>(`SELECT count(*) AS b FROM read_parquet(${sqlString(file)}) WHERE nuclei >= ${probe.nuclei}`);
							expect(Number(b)).toBe(rows.filter((r) => r.nuclei !== null && r.nuclei >= probe.nuclei!).length);
						}
						if (probe.soppressi_primari?.length) {
							const flag = probe.soppressi_primari[0]!;
							const [{ d }] = await db.all<{ d: bigint }>(`SELECT count(*) AS d FROM read_parquet(${sqlString(file)}) WHERE list_contains(soppressi_primari, ?)`, [flag]);
							expect(Number(d)).toBe(rows.filter((r) => r.soppressi_primari?.includes(flag)).length);
						}
						if (probe.territory_id !== null) {
							const [{ c }] = await db.all<{ c: bigint }>(`SELECT count(*) AS c FROM read_parquet(${sqlString(file)}) WHERE territory_id = ?`, [probe.territory_id]);
							expect(Number(c)).toBe(rows.filter((r) => r.territory_id === probe.territory_id).length);
						}
					}
				}),
				{ numRuns: 60 }
			);
			// the physical schema DuckDB writes for the same types (verify's schema check compares it)
			const schema = await db.all<{ name: string; type: string | null; converted_type: string | null }>(`SELECT name, type, converted_type FROM parquet_schema(${sqlString(join(dir, 'f0.parquet'))})`);
			expect(schema.map((s) => `${s.name}:${s.converted_type ?? s.type}`)).toEqual([
				'duckdb_schema:null',
				'territory_id:UTF8',
				'month:DATE',
				'nuclei:INT_32',
				'importo_medio:DOUBLE',
				'soppressi_primari:LIST',
				'list:null',
				'element:UTF8'
			]);
			const [{ codecs }] = await db.all<{ codecs: string }>(`SELECT string_agg(DISTINCT compression) AS codecs FROM parquet_metadata(${sqlString(join(dir, 'f0.parquet'))})`);
			expect(codecs).toBe('ZSTD');
			// strings dictionary-encoded (a dictionary page, then indices), numbers PLAIN
			const enc = await db.all<{ col: string; encodings: string }>(`SELECT path_in_schema AS col, encodings FROM parquet_metadata(${sqlString(join(dir, `f${n - 1}.parquet`))}) WHERE row_group_id = 0`);
			expect(Object.fromEntries(enc.map((e) => [e.col, e.encodings]))).toEqual({
				territory_id: 'PLAIN, RLE, RLE_DICTIONARY',
				month: 'PLAIN, RLE',
				nuclei: 'PLAIN, RLE',
				importo_medio: 'PLAIN, RLE',
				'soppressi_primari, list, element': 'PLAIN, RLE, RLE_DICTIONARY'
			});
		} finally {
			db.close();
		}
	}, 120_000);

	test('more than 256 distinct strings in a chunk (16-bit indices), runs across group boundaries, NULL and empty lists', async () => {
		const db = await openDb();
		try {
			// a Regione file's row group holds ~1,600 territories: ids need 16-bit indices
			const lists = [null, [], ['nuclei'], ['nuclei', 'persone', 'importo_medio'], Array.from({ length: 300 }, (_, i) => `f${i}`)];
			const rows: Row[] = [];
			for (let i = 0; i < 2000; i++) {
				// 700 distinct ids, then runs of 10 of ids past the 256th (RLE runs of 16-bit indices), then mixed runs
				const t = i < 700 ? i : i < 1500 ? 300 + ((Math.floor(i / 10) * 37) % 400) : Math.floor(i / (1 + (i % 11))) % 700;
				rows.push({ territory_id: i % 97 === 0 && i < 700 ? null : `c:${String(t).padStart(6, '0')}`, month: 19000 + (i % 13), nuclei: i % 5 ? i : null, importo_medio: i / 7, soppressi_primari: lists[Math.floor(i / 9) % lists.length]! });
			}
			const file = join(dir, 'wide.parquet');
			writeFileSync(file, encode(rows, 1500));
			const got = await db.all<Record<string, unknown>>(`SELECT territory_id, (month - DATE '1970-01-01')::INTEGER AS month, nuclei, importo_medio, soppressi_primari FROM read_parquet(${sqlString(file)})`);
			expect(got.map((r) => ({ ...r, soppressi_primari: r.soppressi_primari === null ? null : [...(r.soppressi_primari as string[])] }))).toEqual(rows);
			for (const id of ['c:000000', 'c:000350', 'c:000699']) {
				const [{ c }] = await db.all<{ c: bigint }>(`SELECT count(*) AS c FROM read_parquet(${sqlString(file)}) WHERE territory_id = ?`, [id]);
				expect(Number(c)).toBe(rows.filter((r) => r.territory_id === id).length);
			}
			const [{ e }] = await db.all<{ e: bigint }>(`SELECT count(*) AS e FROM read_parquet(${sqlString(file)}) WHERE soppressi_primari = []`);
			expect(Number(e)).toBe(rows.filter((r) => r.soppressi_primari?.length === 0).length);
		} finally {
			db.close();
		}
	}, 60_000);
});

describe('zstd: one frame per page, the same bytes for the same page', () => {
	test('small pages (a raw block written here) and large ones (Node zstd, then the cache) decode to the page; a page seen again gives the same frame', () => {
		const pages = [Buffer.alloc(0), Buffer.from([7]), Buffer.alloc(63, 1), Buffer.alloc(64, 2), Buffer.from('x'.repeat(5000) + 'y'.repeat(300))];
		const before = { ...pageCache };
		for (const p of pages) {
			const frame = zstd(p);
			expect(zstdDecompressSync(frame).equals(p)).toBe(true);
			// a copy of the bytes, not the same Buffer: the cache is keyed by content
			expect(zstd(Buffer.from(p)).equals(frame)).toBe(true);
		}
		// the two pages of 64 bytes or more: compressed once each, answered from the cache the second time
		expect(pageCache.misses - before.misses).toBe(2);
		expect(pageCache.hits - before.hits).toBe(2);
		// a page that differs in one byte is not answered from the cache
		const other = Buffer.alloc(64, 2);
		other[63] = 3;
		expect(zstdDecompressSync(zstd(other)).equals(other)).toBe(true);
		expect(pageCache.misses - before.misses).toBe(3);
	});
});
