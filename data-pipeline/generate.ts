/**
 * `pipeline generate`: synthetic household microdata, one Parquet file per month
 * (`<out>/YYYY-MM.parquet`), deterministic for a seed. All in DuckDB SQL: household counts
 * per Comune and month from population × regional take-up × trend × scale (randomised
 * rounding, so small Comuni get 0–5 households), then one row per household with
 * hash-based attributes. With calibration targets, counts, persons and amounts of RdC+PdC
 * are forced to the published Provincia/Regione figures (calibrate.ts).
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDb, sqlString, type Db } from './db.ts';
import { DEFAULT_REGION_PARAMS, monthFactors, PDC_SHARE, REGION_PARAMS } from './generate-model.ts';
import { monthRange } from './months.ts';
import type { Registry } from './registry.ts';
import { applyCalibration, loadCalibration, type CalibrationPlan } from './calibrate.ts';
import type { Logger } from './log.ts';

export interface GenerateOptions {
	out: string;
	registry: Registry;
	from: string;
	to: string;
	scale: number;
	seed: number;
	/** Published totals to reproduce (parsed by calibrate.ts). */
	calibration?: CalibrationPlan;
	/** Write every month into one file (faster at small scales). */
	singleFile?: boolean;
	log: Logger;
}

export interface GenerateResult {
	files: string[];
	rows: number;
	months: number;
	seconds: number;
}

// Persistent per-household randomness: u(key) in (0,1) from the seed, Comune, group and index.
const MACROS = `
CREATE OR REPLACE MACRO u(k1, k2, k3, k4) AS ((hash(k1, k2, k3, k4) % 1000003) + 0.5) / 1000003.0;
`;

/** Loads the registry and model parameters into the database. */
async function loadInputs(db: Db, opts: GenerateOptions): Promise<void> {
	await db.run(MACROS);
	await db.load(
		'comuni',
		{ code: 'VARCHAR', province: 'VARCHAR', region: 'VARCHAR', pop: 'INTEGER', rate: 'DOUBLE', pph: 'DOUBLE', amt: 'DOUBLE' },
		opts.registry.comuni.map((c) => {
			const [rate, pph, amt] = REGION_PARAMS[c.region] ?? DEFAULT_REGION_PARAMS;
			return [c.code, c.province, c.region, c.population, rate, pph, amt];
		})
	);
	const months = monthRange(opts.from, opts.to);
	await db.load(
		'months',
		{ month: 'VARCHAR', rp: 'DOUBLE', adi: 'DOUBLE', sfl: 'DOUBLE' },
		months.map((m) => {
			const f = monthFactors(m);
			return [m, f.rp, f.adi, f.sfl];
		})
	);
}

/** Household counts per Comune, month and group (RP = RdC+PdC, ADI, SFL): the `counts` table. */
async function computeCounts(db: Db, seed: number, scale: number): Promise<void> {
	await db.run(
		`CREATE OR REPLACE TABLE counts AS
		WITH g AS (
			SELECT c.*, m.month, grp, CASE grp WHEN 'RP' THEN m.rp WHEN 'ADI' THEN m.adi ELSE m.sfl END AS factor
			FROM comuni c CROSS JOIN months m CROSS JOIN (VALUES ('RP'), ('ADI'), ('SFL')) t(grp)
		)
		SELECT code, province, region, month, grp, pph, amt,
			pop / 1000.0 * rate * factor * $1 * (0.6 + 0.8 * u($2, code, 'effect', 0)) AS expected,
			floor(expected * (0.97 + 0.06 * u($2, code, month, grp || 'noise')) + u($2, code, month, grp))::INTEGER AS n
		FROM g WHERE factor > 0`,
		[scale, seed]
	);
}

/** The households of one month: the `hh` table (amounts in cents, before calibration). */
async function householdsOfMonth(db: Db, month: string | null, seed: number): Promise<void> {
	await db.run(
		`CREATE OR REPLACE TABLE hh AS
		WITH base AS (
			SELECT code, province, region, month, grp, pph, amt, i,
				(code::BIGINT * 10000000 + CASE grp WHEN 'RP' THEN 0 WHEN 'ADI' THEN 3000000 ELSE 6000000 END + i) AS household_id,
				CASE WHEN grp = 'RP' THEN CASE WHEN u(${Number(seed)}, code, 'pdc', i) < ${PDC_SHARE} THEN 'PdC' ELSE 'RdC' END ELSE grp END AS measure,
				1.0 / ln(1 + 1 / greatest(pph - 1, 0.2)) AS lam
			FROM counts, range(counts.n) r(i)
			WHERE $1::VARCHAR IS NULL OR month = $1::VARCHAR
		), sized AS (
			SELECT *, CASE measure
				WHEN 'PdC' THEN 1 + (u(${Number(seed)}, code, grp || 'size', i) < 0.18)::INTEGER
				WHEN 'SFL' THEN least(6, 1 + floor(-ln(1 - u(${Number(seed)}, code, grp || 'size', i)) * 1.2))::INTEGER
				ELSE least(8, 1 + floor(-ln(1 - u(${Number(seed)}, code, grp || 'size', i)) * lam))::INTEGER END AS members
			FROM base
		)
		SELECT strptime(month, '%Y-%m')::DATE AS month, measure, code AS comune, household_id, members,
			province, region, grp, amt, i,
			-- composition is decided after calibration may change members (see compose())
			0 AS amount_cents
		FROM sized`,
		[month]
	);
}

/** Derives composition and amounts from the (final) members: the rows written to Parquet. */
function composeSql(seed: number): string {
	// COPY takes no parameters: the seed is a number, inlined.
	return `
		WITH a AS (
			SELECT *,
				CASE WHEN members >= 2 AND u(${Number(seed)}, comune, grp || 'min', i) < (CASE measure WHEN 'ADI' THEN 0.75 WHEN 'RdC' THEN 0.55 ELSE 0 END)
					THEN 1 + floor(u(${Number(seed)}, comune, grp || 'min2', i) * (members - 1))::INTEGER ELSE 0 END AS minors,
				(u(${Number(seed)}, comune, grp || 'dis', i) < (CASE measure WHEN 'ADI' THEN 0.38 WHEN 'PdC' THEN 0.25 WHEN 'RdC' THEN 0.18 ELSE 0.05 END))::INTEGER AS disabled
			FROM hh
		), b AS (
			SELECT *, CASE measure
				WHEN 'PdC' THEN members
				WHEN 'SFL' THEN 0
				ELSE least(members - minors, (u(${Number(seed)}, comune, grp || 'old', i) < (CASE measure WHEN 'ADI' THEN 0.47 ELSE 0.14 END))::INTEGER
					* (1 + (members - minors >= 2 AND u(${Number(seed)}, comune, grp || 'old2', i) < 0.3)::INTEGER)) END AS over60_raw
			FROM a
		), c AS (
			-- ADI goes to households with a minor, a disabled member or one aged 60+.
			SELECT *, CASE WHEN measure = 'ADI' AND minors = 0 AND disabled = 0 AND over60_raw = 0 THEN 1 ELSE over60_raw END AS over60
			FROM b
		)
		SELECT month, measure, comune, household_id, members, minors, disabled, over60,
			CASE WHEN measure = 'PdC' THEN members WHEN u(${Number(seed)}, comune, grp || 'o65', i) < 0.6 THEN over60 ELSE 0 END AS over65,
			CASE WHEN u(${Number(seed)}, comune, grp || 'cit', i) < (CASE WHEN region >= '12' THEN 0.9 ELSE 0.8 END) THEN 'IT'
				WHEN u(${Number(seed)}, comune, grp || 'cit', i) < (CASE WHEN region >= '12' THEN 0.92 ELSE 0.84 END) THEN 'UE' ELSE 'EXTRA_UE' END AS citizenship,
			(CASE WHEN amount_cents > 0 THEN amount_cents
				WHEN measure = 'SFL' THEN 35000 * (1 + (members >= 2 AND u(${Number(seed)}, comune, 'rec', i) < 0.12)::INTEGER)
				ELSE round(amt * 100 * (CASE measure WHEN 'PdC' THEN 0.45 WHEN 'ADI' THEN 1.0 ELSE 1.0 END)
					* (0.5 + 0.25 * pow(members, 0.8)) / 1.1 * (0.85 + 0.3 * u(${Number(seed)}, comune, month::VARCHAR, i)))::BIGINT END) / 100.0 AS amount,
			CASE measure WHEN 'SFL' THEN NULL WHEN 'PdC' THEN 'esonerato'
				ELSE CASE WHEN u(${Number(seed)}, comune, grp || 'ref', i) < (CASE measure WHEN 'ADI' THEN 0.72 ELSE 0.45 END) THEN 'inclusione'
					WHEN u(${Number(seed)}, comune, grp || 'ref', i) < (CASE measure WHEN 'ADI' THEN 0.8 ELSE 0.85 END) THEN 'lavoro' ELSE 'esonerato' END END AS referral,
			CASE WHEN measure = 'SFL' THEN 1 + (members >= 2 AND u(${Number(seed)}, comune, 'rec', i) < 0.12)::INTEGER END AS recipients
		FROM c ORDER BY comune, measure, household_id`;
}

/** Generates the microdata files; each file is written to a temp name and renamed into place. */
export async function generate(opts: GenerateOptions): Promise<GenerateResult> {
	const started = performance.now();
	mkdirSync(opts.out, { recursive: true });
	const db = await openDb();
	try {
		await loadInputs(db, opts);
		await computeCounts(db, opts.seed, opts.scale);
		if (opts.calibration) await loadCalibration(db, opts.calibration);
		const files: string[] = [];
		let rows = 0;
		const sql = composeSql(opts.seed);
		if (opts.singleFile && !opts.calibration) {
			// Small scales: one statement and one file for every month (the demo, tests).
			await householdsOfMonth(db, null, opts.seed);
			const file = join(opts.out, `${opts.from}_${opts.to}.parquet`);
			await db.run(`COPY (${sql}) TO ${sqlString(`${file}.tmp`)} (FORMAT parquet, COMPRESSION zstd)`);
			renameSync(`${file}.tmp`, file);
			const [{ n }] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM hh`);
			return { files: [file], rows: Number(n), months: monthRange(opts.from, opts.to).length, seconds: (performance.now() - started) / 1000 };
		}
		for (const month of monthRange(opts.from, opts.to)) {
			await householdsOfMonth(db, month, opts.seed);
			if (opts.calibration) await applyCalibration(db, month, opts.seed);
			const file = join(opts.out, `${month}.parquet`);
			const tmp = `${file}.tmp`;
			rmSync(tmp, { force: true });
			await db.run(`COPY (${sql}) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
			renameSync(tmp, file);
			const [{ n }] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM hh`);
			rows += Number(n);
			files.push(file);
			opts.log.progress?.(`generate ${month}: ${Number(n).toLocaleString('en')} households`);
		}
		return { files, rows, months: files.length, seconds: (performance.now() - started) / 1000 };
	} finally {
		db.close();
	}
}
