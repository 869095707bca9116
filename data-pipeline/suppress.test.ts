/**
 * Property tests of disclosure control on random small worlds: whatever the households,
 * no published count describes 1 or 2 households, no hidden cell can be recovered from the
 * published totals (checked as a linear system: a hidden cell is recoverable when its value
 * is the same in every solution), and published parts add up to published totals.
 */
import fc from 'fast-check';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { CATEGORY_PARTITIONS } from '../contracts/extract.ts';
import { build } from './build.ts';
import { openDb } from './db.ts';
import { silentLogger } from './log.ts';
import { household, tempDir, tinyRegistry, writeMicrodataCsv, type HouseholdRow } from './test-support.ts';

const COMUNI = tinyRegistry().comuni.map((c) => c.code);
const COLUMNS = ['nuclei', 'nuclei_minori', 'nuclei_disabili', 'nuclei_over60', 'nuclei_1', 'nuclei_2', 'nuclei_3', 'nuclei_4', 'nuclei_5piu', 'nuclei_cittadinanza_it', 'nuclei_cittadinanza_ue', 'nuclei_cittadinanza_extra_ue', 'nuclei_patto_inclusione', 'nuclei_patto_lavoro', 'nuclei_esonerati'];

type Row = Record<string, string | number | null>;

/** Linear equations Σ coef·cell = published, over the cells of one month and measure. */
function equations(rows: Row[]): { terms: string[]; total: string }[] {
	const eqs: { terms: string[]; total: string }[] = [];
	const byParent = new Map<string, string[]>();
	const add = (parent: string, child: string) => byParent.set(parent, [...(byParent.get(parent) ?? []), child]);
	for (const r of rows) {
		const id = String(r.territory_id);
		if (r.parent_id) add(`${r.parent_id}|${r.level}`, id);
		if (r.level === 'comune') add(`p:${id.slice(2, 5)}|prov`, id);
	}
	for (const [key, children] of byParent) {
		const parent = key.split('|')[0]!;
		for (const c of COLUMNS) eqs.push({ total: `${parent}/${c}`, terms: children.map((ch) => `${ch}/${c}`) });
	}
	for (const r of rows) for (const group of CATEGORY_PARTITIONS) eqs.push({ total: `${r.territory_id}/nuclei`, terms: group.map((c) => `${r.territory_id}/${c}`) });
	return eqs;
}

function rank(matrix: number[][]): number {
	const m = matrix.map((r) => [...r]);
	let rk = 0;
	const cols = m[0]?.length ?? 0;
	for (let c = 0; c < cols && rk < m.length; c++) {
		const p = m.findIndex((row, i) => i >= rk && Math.abs(row[c]!) > 1e-9);
		if (p < 0) continue;
		[m[rk], m[p]] = [m[p]!, m[rk]!];
		for (let i = 0; i < m.length; i++) {
			if (i === rk || Math.abs(m[i]![c]!) < 1e-9) continue;
			const f = m[i]![c]! / m[rk]![c]!;
			for (let j = c; j < cols; j++) m[i]![j]! -= f * m[rk]![j]!;
		}
		rk++;
	}
	return rk;
}

/** Hidden cells whose value every solution of the published equations fixes. */
function recoverable(rows: Row[]): string[] {
	const value = new Map<string, number | null>();
	for (const r of rows) for (const c of COLUMNS) value.set(`${r.territory_id}/${c}`, r[c] === null ? null : Number(r[c]));
	const eqs = equations(rows).filter((e) => value.has(e.total) && e.terms.every((t) => value.has(t)));
	const hidden = [...value.keys()].filter((k) => value.get(k) === null);
	const index = new Map(hidden.map((h, i) => [h, i]));
	const matrix = eqs.map((e) => {
		const row = new Array(hidden.length).fill(0);
		for (const t of e.terms) if (index.has(t)) row[index.get(t)!] += 1;
		if (index.has(e.total)) row[index.get(e.total)!] -= 1;
		return row;
	}).filter((r) => r.some((x) => x !== 0));
	if (!matrix.length) return hidden;
	const full = rank(matrix);
	// a cell is fixed iff its column is not a combination of the others
	return hidden.filter((_, i) => rank(matrix.map((r) => r.filter((__, j) => j !== i))) < full);
}

test('disclosure control holds on random small worlds', async () => {
	await fc.assert(
		fc.asyncProperty(fc.array(fc.nat({ max: 7 }), { minLength: COMUNI.length, maxLength: COMUNI.length }), fc.nat({ max: 1000 }), async (counts, salt) => {
			const dir = tempDir();
			mkdirSync(join(dir, 'md'));
			let id = 1;
			const rows: HouseholdRow[] = counts.flatMap((n, i) => Array.from({ length: n }, () => household('2024-01', 'ADI', COMUNI[i]!, id++, id * 13 + salt)));
			writeMicrodataCsv(join(dir, 'md', 'm.csv'), rows);
			await build({ microdata: join(dir, 'md'), out: join(dir, 'out'), registry: tinyRegistry(), lastMonth: '2024-01', log: silentLogger });
			const db = await openDb();
			try {
				const published = await db.all<Row>(`SELECT DISTINCT * EXCLUDE (soppressi_primari, soppressi_secondari) FROM read_parquet('${join(dir, 'out')}/*/regione/*.parquet') UNION SELECT * EXCLUDE (soppressi_primari, soppressi_secondari) FROM read_parquet('${join(dir, 'out')}/*/italia.parquet')`);
				const adi = published.filter((r) => r.measure === 'ADI');
				for (const r of adi) for (const c of COLUMNS) expect([1, 2], `${r.territory_id} ${c}`).not.toContain(r[c] === null ? null : Number(r[c]));
				expect(recoverable(adi)).toEqual([]);
				const value = new Map<string, number | null>(adi.flatMap((r) => COLUMNS.map((c): [string, number | null] => [`${r.territory_id}/${c}`, r[c] === null ? null : Number(r[c])])));
				for (const e of equations(adi)) {
					const parts = e.terms.map((t) => value.get(t));
					if (value.get(e.total) != null && parts.every((p) => p != null)) expect(parts.reduce((s: number, p) => s + p!, 0), e.total).toBe(value.get(e.total));
				}
			} finally {
				db.close();
			}
		}),
		{ numRuns: 6, seed: 42 }
	);
}, 240_000);
