import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { openDb, sqlString } from './db.ts';
import { encodeParquet, plainString, type ColumnSpecLite } from './parquet-writer.ts';
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
				fc.asyncProperty(fc.array(row, { minLength: 0, maxLength: 60 }), fc.integer({ min: 1, max: 25 }), async (rows, group) => {
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
		} finally {
			db.close();
		}
	}, 120_000);
});
