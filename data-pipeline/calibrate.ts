/**
 * Calibration of the generator to published totals (`--calibrate CSV`, the format of
 * INPS's RdC/PdC table by Regione and Provincia): for every month in the file, the RdC+PdC
 * households of each Provincia and Regione reproduce the published `nuclei` and
 * `persone_coinvolte` exactly and `importo_medio_mensile_eur` to the cent.
 *
 * What cannot be calibrated, and what is done instead (reported in plain words):
 * - a Regione whose province rows do not map one-to-one onto the registry's current
 *   Province (Sardinia's pre-2016 units, flagged in `note`, or codes the registry lacks):
 *   only the Regione is calibrated; its total is split over its current Province in
 *   proportion to population;
 * - a Provincia missing in a month while its Regione is present: it receives the
 *   Regione's residual (Regione minus the listed Province), so the Regione still matches;
 * - yearly rows (`tipo_periodo = annuale`) are ignored: they are averages, not months;
 * - months absent from the file are generated from the model.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Db } from './db.ts';
import { isMonth } from './months.ts';
import { InputError, type Problem } from './problems.ts';
import type { Registry } from './registry.ts';

/** One Provincia-month target (RdC+PdC). `exact` = published; otherwise a residual share. */
export interface ProvinceTarget {
	province: string;
	month: string;
	nuclei: number;
	persone: number;
	/** Total amount in cents: its mean rounds to the published mean. */
	cents: number;
	exact: boolean;
}

export interface CalibrationPlan {
	targets: ProvinceTarget[];
	/** Published Regione figures reproduced (region, month). */
	regions: { region: string; month: string; nuclei: number; persone: number; mean: number }[];
	report: string[];
	/** `RR YYYY-MM` where the Province's means were moved to reproduce the Regione's mean. */
	inconsistentMeans: string[];
}

interface Row {
	livello: string;
	regione_istat: string;
	provincia_istat: string;
	periodo: string;
	tipo_periodo: string;
	nuclei: string;
	persone_coinvolte: string;
	importo_medio_mensile_eur: string;
	note: string;
	nome_fonte: string;
}

/** Largest-remainder split of an integer total in proportion to weights. */
export function apportion(total: number, weights: number[]): number[] {
	const sum = weights.reduce((s, w) => s + w, 0);
	if (sum <= 0) return weights.map((_, i) => (i === 0 ? total : 0));
	const quotas = weights.map((w) => (total * w) / sum);
	const out = quotas.map(Math.floor);
	let rest = total - out.reduce((s, x) => s + x, 0);
	const order = quotas.map((q, i) => [q - Math.floor(q), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
	for (const [, i] of order) {
		if (rest-- <= 0) break;
		out[i]!++;
	}
	return out;
}

/** Totals in cents for the calibrated Province so each mean and the Regione's mean round right. */
function provinceCents(provs: { n: number; mean: number }[], region: { n: number; mean: number }): number[] | null {
	const cents = provs.map((p) => Math.round(p.mean * 100) * p.n);
	// round(T/n) = m  ⇔  T ∈ [m·n − n/2, m·n + n/2): each Provincia can move by (n−1)/2 cents.
	const lo = Math.round(region.mean * 100) * region.n - Math.floor((region.n - 1) / 2);
	const hi = Math.round(region.mean * 100) * region.n + Math.floor((region.n - 1) / 2);
	let total = cents.reduce((s, c) => s + c, 0);
	const need = total < lo ? lo - total : total > hi ? hi - total : 0;
	let left = need;
	for (let i = 0; i < provs.length && left !== 0; i++) {
		const slack = Math.floor((provs[i]!.n - 1) / 2);
		const step = Math.max(-slack, Math.min(slack, left));
		cents[i]! += step;
		left -= step;
	}
	total = cents.reduce((s, c) => s + c, 0);
	return total >= lo && total <= hi ? cents : null;
}

/** Reads the published totals and plans the targets; throws InputError on a malformed file. */
export function parseCalibrationCsv(file: string, registry: Registry): CalibrationPlan {
	let rows: Row[];
	try {
		rows = parse(readFileSync(file), { columns: true, skip_empty_lines: true, cast: false });
	} catch (e) {
		throw new InputError([{ kind: 'unparseable calibration file', file, message: (e as Error).message }]);
	}
	const problems: Problem[] = [];
	const need = ['livello', 'regione_istat', 'provincia_istat', 'periodo', 'tipo_periodo', 'nuclei', 'persone_coinvolte', 'importo_medio_mensile_eur', 'note'];
	const missing = need.filter((c) => rows.length && !(c in rows[0]!));
	if (missing.length) throw new InputError([{ kind: 'missing column', file, field: missing.join(', '), message: 'calibration file columns' }]);
	const monthly = rows.filter((r) => r.tipo_periodo === 'mensile');
	const report: string[] = [];
	if (rows.length > monthly.length) report.push(`calibration: ${rows.length - monthly.length} yearly rows ignored (yearly figures are averages, not months)`);
	monthly.forEach((r, i) => {
		if (!isMonth(r.periodo)) problems.push({ kind: 'invalid month', file, row: i + 2, field: 'periodo', message: r.periodo });
		for (const f of ['nuclei', 'persone_coinvolte'] as const) if (!/^\d+$/.test(r[f])) problems.push({ kind: 'invalid count', file, row: i + 2, field: f, message: JSON.stringify(r[f]) });
		if (!/^\d+(\.\d{1,2})?$/.test(r.importo_medio_mensile_eur)) problems.push({ kind: 'invalid amount', file, row: i + 2, field: 'importo_medio_mensile_eur', message: JSON.stringify(r.importo_medio_mensile_eur) });
	});
	if (problems.length) throw new InputError(problems);

	const provincesOf = new Map<string, Map<string, number>>(); // region → province → population
	for (const c of registry.comuni) {
		const m = provincesOf.get(c.region) ?? new Map<string, number>();
		m.set(c.province, (m.get(c.province) ?? 0) + c.population);
		provincesOf.set(c.region, m);
	}
	// Regioni whose province rows do not map onto current Province: calibrate the Regione only.
	const incompatible = new Map<string, string>();
	for (const r of monthly.filter((x) => x.livello === 'provincia')) {
		const known = provincesOf.get(r.regione_istat)?.has(r.provincia_istat);
		if (r.note || !known) incompatible.set(r.regione_istat, r.note || `province ${r.provincia_istat} unknown to the registry`);
	}
	for (const [region, why] of incompatible) report.push(`calibration: Regione ${region} is calibrated as a whole, not by Provincia (${why}); its total is split over its current Province by population`);

	const targets: ProvinceTarget[] = [];
	const regions: CalibrationPlan['regions'] = [];
	const inconsistentMeans: string[] = [];
	const months = [...new Set(monthly.map((r) => r.periodo))].sort();
	for (const month of months) {
		for (const rr of monthly.filter((r) => r.periodo === month && r.livello === 'regione')) {
			const region = rr.regione_istat;
			const current = provincesOf.get(region);
			if (!current) {
				report.push(`calibration: Regione ${region} (${month}) is not in the registry: skipped`);
				continue;
			}
			const R = { n: Number(rr.nuclei), p: Number(rr.persone_coinvolte), mean: Number(rr.importo_medio_mensile_eur) };
			const listed = incompatible.has(region) ? [] : monthly.filter((r) => r.periodo === month && r.livello === 'provincia' && r.regione_istat === region);
			const exact = listed.map((r) => ({ province: r.provincia_istat, n: Number(r.nuclei), p: Number(r.persone_coinvolte), mean: Number(r.importo_medio_mensile_eur) }));
			const rest = [...current.keys()].filter((p) => !exact.some((e) => e.province === p)).sort();
			const nRes = R.n - exact.reduce((s, e) => s + e.n, 0);
			const pRes = R.p - exact.reduce((s, e) => s + e.p, 0);
			if (nRes < 0 || pRes < nRes || (rest.length === 0 && (nRes !== 0 || pRes !== 0))) {
				report.push(`calibration: ${month} Regione ${region}: its Province do not add up to it (residual ${nRes} households, ${pRes} persons); the Regione is calibrated as a whole`);
				exact.length = 0;
				rest.splice(0, rest.length, ...current.keys());
			}
			if (!incompatible.has(region) && rest.length && exact.length) report.push(`calibration: ${month} Regione ${region}: Province ${rest.join(', ')} absent from the file; they receive the Regione's residual`);
			const nShares = apportion(R.n - exact.reduce((s, e) => s + e.n, 0), rest.map((p) => current.get(p)!));
			const pTotal = R.p - exact.reduce((s, e) => s + e.p, 0);
			const pShares = apportion(pTotal, nShares);
			let cents: number[] | null;
			if (rest.length === 0) cents = provinceCents(exact, R);
			else cents = exact.map((e) => Math.round(e.mean * 100) * e.n);
			if (!cents) {
				// The published means are mutually inconsistent: the Regione wins (its figures are
				// never altered); the Province share the difference in proportion to households.
				const base = exact.map((e) => Math.round(e.mean * 100) * e.n);
				const delta = Math.round(R.mean * 100) * R.n - base.reduce((a, b) => a + b, 0);
				const shares = apportion(Math.abs(delta), exact.map((e) => e.n));
				cents = base.map((b, i) => b + Math.sign(delta) * shares[i]!);
				inconsistentMeans.push(`${region} ${month}`);
				report.push(`calibration: ${month} Regione ${region}: the Province's published means do not average to the Regione's (${R.mean.toFixed(2)} €); the Regione is reproduced to the cent, its Province's means differ by ${(Math.abs(delta) / R.n / 100).toFixed(2)} € on average`);
			}
			const restCents = Math.round(R.mean * 100) * R.n - cents.reduce((s, c) => s + c, 0);
			const restShares = apportion(Math.max(0, restCents), nShares);
			exact.forEach((e, i) => targets.push({ province: e.province, month, nuclei: e.n, persone: e.p, cents: cents![i]!, exact: true }));
			rest.forEach((p, i) => {
				// a residual Provincia with households needs at least one person each
				const persone = Math.max(pShares[i]!, nShares[i]!);
				targets.push({ province: p, month, nuclei: nShares[i]!, persone, cents: restShares[i]!, exact: false });
			});
			regions.push({ region, month, nuclei: R.n, persone: R.p, mean: R.mean });
		}
	}
	report.push(
		`calibration: ${targets.filter((t) => t.exact).length} Provincia-months and ${regions.length} Regione-months reproduced (${months.join(', ')}): households and persons exactly, ` +
			`mean amounts to the cent${inconsistentMeans.length ? ` except the Province of ${inconsistentMeans.length} Regione-months whose published means are inconsistent with their Regione's` : ''}`
	);
	return { targets, regions, report, inconsistentMeans };
}

/** Loads the targets as `cal` and forces the RdC+PdC household counts per Comune to them. */
export async function loadCalibration(db: Db, plan: CalibrationPlan): Promise<void> {
	await db.load(
		'cal',
		{ province: 'VARCHAR', month: 'VARCHAR', n: 'INTEGER', p: 'INTEGER', cents: 'DOUBLE' },
		plan.targets.map((t) => [t.province, t.month, t.nuclei, t.persone, t.cents])
	);
	// Largest remainder over the Comuni of each Provincia, in proportion to their expected volume.
	await db.run(
		`CREATE OR REPLACE TEMP TABLE alloc AS
		WITH q AS (
			SELECT c.code, c.month, cal.n * c.expected / nullif(sum(c.expected) OVER w, 0) AS quota, cal.n AS total, cal.p, cal.n AS cn
			FROM counts c JOIN cal ON cal.province = c.province AND cal.month = c.month
			WHERE c.grp = 'RP' WINDOW w AS (PARTITION BY c.province, c.month)
		), f AS (
			SELECT *, floor(coalesce(quota, 0))::INTEGER AS base, coalesce(quota, 0) - floor(coalesce(quota, 0)) AS frac FROM q
		)
		SELECT code, month, base + (row_number() OVER (PARTITION BY substr(code, 1, 3), month ORDER BY frac DESC, code)
			<= total - sum(base) OVER (PARTITION BY substr(code, 1, 3), month))::INTEGER AS n,
			p::DOUBLE / nullif(cn, 0) AS pph
		FROM f`
	);
	await db.run(`UPDATE counts SET n = a.n, pph = coalesce(a.pph, counts.pph) FROM alloc a WHERE counts.grp = 'RP' AND counts.code = a.code AND counts.month = a.month`);
}

/** Forces members and amounts of the month's RdC+PdC households to the Provincia targets. */
export async function applyCalibration(db: Db, month: string, seed: number): Promise<void> {
	const [{ n }] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM cal WHERE month = ?`, [month]);
	if (Number(n) === 0) return;
	// Persons: spread the difference one member at a time over households in a hashed order.
	for (let round = 0; round < 20; round++) {
		const diff = await db.all<{ left: bigint }>(
			`WITH d AS (
				SELECT h.province, any_value(cal.p) - sum(h.members) AS d, count(*) AS cnt FROM hh h JOIN cal ON cal.province = h.province AND cal.month = ?
				WHERE h.grp = 'RP' GROUP BY h.province HAVING any_value(cal.p) <> sum(h.members)
			), r AS (
				SELECT h.household_id, d.d, d.cnt, row_number() OVER (PARTITION BY h.province ORDER BY (d.d < 0 AND h.members < 2), hash(${Number(seed)}, h.household_id)) AS rk,
					count(*) FILTER (WHERE h.members >= 2) OVER (PARTITION BY h.province) AS eligible
				FROM hh h JOIN d ON d.province = h.province WHERE h.grp = 'RP'
			)
			UPDATE hh SET members = hh.members + CASE WHEN r.d > 0 THEN r.d // r.cnt + (r.rk <= r.d % r.cnt)::INTEGER
				ELSE -(r.rk <= least(-r.d, r.eligible))::INTEGER END
			FROM r WHERE hh.household_id = r.household_id AND hh.grp = 'RP'
			RETURNING 1 AS left`,
			[month]
		);
		if (diff.length === 0) break;
	}
	// Amounts: raw amounts scaled to the target total, the remainder one cent at a time.
	await db.run(
		`WITH raw AS (
			SELECT household_id, province, round(amt * 100 * (CASE WHEN measure = 'PdC' THEN 0.45 ELSE 1.0 END) * (0.5 + 0.25 * pow(members, 0.8)) / 1.1
				* (0.85 + 0.3 * u(${Number(seed)}, comune, month::VARCHAR, i)))::BIGINT AS a
			FROM hh WHERE grp = 'RP'
		), s AS (
			SELECT r.*, cal.cents::BIGINT AS t, sum(a) OVER (PARTITION BY r.province) AS sa FROM raw r JOIN cal ON cal.province = r.province AND cal.month = ?
		), f AS (
			SELECT household_id, greatest(1, (a * t // sa))::BIGINT AS base, t, row_number() OVER (PARTITION BY province ORDER BY hash(${Number(seed)}, household_id, 'cent')) AS rk, province FROM s
		), g AS (
			SELECT *, t - sum(base) OVER (PARTITION BY province) AS rest, count(*) OVER (PARTITION BY province) AS cnt FROM f
		)
		UPDATE hh SET amount_cents = g.base + g.rest // g.cnt + (g.rk <= g.rest % g.cnt)::INTEGER
		FROM g WHERE hh.household_id = g.household_id AND hh.grp = 'RP'`,
		[month]
	);
}
