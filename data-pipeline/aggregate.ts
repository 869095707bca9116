/**
 * Aggregation (SQL): microdata → Comune totals per month and measure (`cagg`), completed
 * with zero rows for every Comune × month of each measure's period, then rolled up with
 * GROUPING SETS to ATS, Provincia, Regione and Italia: the `cells` table (one row per
 * territory × month × measure, amounts in cents). Categories a measure does not record
 * are NULL (SFL: all of them; over60 for RdC/PdC, over65 for ADI).
 */
import { CATEGORY_COLUMNS, MEASURE_PERIODS, MEASURES, type CategoryColumn } from '../contracts/extract.ts';
import type { Db } from './db.ts';

/** How each category column is counted from the microdata. */
export const CATEGORY_RULES: Record<(typeof CATEGORY_COLUMNS)[number], string> = {
	nuclei_minori: 'minors > 0',
	nuclei_disabili: 'disabled > 0',
	nuclei_over60: 'over60 > 0',
	nuclei_over65: 'over65 > 0',
	nuclei_monocomponente: 'members = 1',
	nuclei_1: 'members = 1',
	nuclei_2: 'members = 2',
	nuclei_3: 'members = 3',
	nuclei_4: 'members = 4',
	nuclei_5piu: 'members >= 5',
	nuclei_cittadinanza_it: "citizenship = 'IT'",
	nuclei_cittadinanza_ue: "citizenship = 'UE'",
	nuclei_cittadinanza_extra_ue: "citizenship = 'EXTRA_UE'",
	nuclei_patto_inclusione: "referral = 'inclusione'",
	nuclei_patto_lavoro: "referral = 'lavoro'",
	nuclei_esonerati: "referral = 'esonerato'"
};

/** Categories that do not apply to a measure (NULL, never flagged). */
export function notApplicable(measure: string): string[] {
	if (measure === 'SFL') return [...CATEGORY_COLUMNS];
	if (measure === 'ADI') return ['nuclei_over65'];
	return ['nuclei_over60'];
}

const SUM_COLUMNS = ['nuclei', 'persone', 'cents', ...CATEGORY_COLUMNS];

/** (Re)loads `mm`: each (month, measure) of `months` with a small integer `low` (cell key = tid * 65536 + low). */
async function loadMonthMeasures(db: Db, months: string[]): Promise<void> {
	const pairs = months.flatMap((m) =>
		MEASURES.filter((x) => m >= MEASURE_PERIODS[x].from && (!MEASURE_PERIODS[x].to || m <= MEASURE_PERIODS[x].to!)).map((x) => [m, x])
	);
	await db.load('month_measures', { m: 'VARCHAR', measure: 'VARCHAR', low: 'INTEGER' }, pairs.map(([m, x], i) => [m!, x!, i + 1]));
	await db.run(`CREATE OR REPLACE TABLE mm AS SELECT strptime(m, '%Y-%m')::DATE AS month, measure, low FROM month_measures`);
}

/** `cells` from `r` (tid, low and the sums): territory attributes joined, inapplicable categories NULL. */
function cellsSql(r: string): string {
	return `CREATE OR REPLACE TABLE cells AS
		WITH r AS (${r})
		SELECT r.tid::BIGINT * 65536 + r.low AS key, r.tid, r.low, t.ptid, coalesce(cm.ptid, ap.ptid) AS provtid,
			t.territory_id, t.level, t.name, t.parent_id, t.region, t.residenti, mm.month, mm.measure,
			nuclei, persone, cents, ${categoriesSql('mm.measure')}
		FROM r JOIN territories t ON t.tid = r.tid JOIN mm ON mm.low = r.low LEFT JOIN comune_map cm ON cm.ctid = r.tid
		-- an ATS inside one Provincia is also a part of it (Provincia = Σ its ATS): suppression must know
		LEFT JOIN (SELECT atid, any_value(ptid) AS ptid FROM comune_map GROUP BY atid HAVING count(DISTINCT ptid) = 1) ap ON ap.atid = r.tid`;
}

/** The category columns, NULL where the measure does not record them. */
function categoriesSql(measure: string): string {
	return CATEGORY_COLUMNS.map((c) => {
		const na = MEASURES.filter((m) => notApplicable(m).includes(c));
		return na.length ? `CASE WHEN ${measure} IN (${na.map((m) => `'${m}'`).join(', ')}) THEN NULL ELSE ${c} END AS ${c}` : c;
	}).join(', ');
}

/**
 * Category counts packed three to a BIGINT sum (WIDTH bits each): one aggregate update per
 * row instead of three (measured: 16 sums of 0/1 cost more than reading the columns). Each
 * inner list is mutually exclusive (one CASE); a pack's lists add up.
 */
const WIDTH = 21;
const PACKS: CategoryColumn[][][] = [
	[['nuclei_1', 'nuclei_2', 'nuclei_3']],
	[['nuclei_4', 'nuclei_5piu'], ['nuclei_over65']],
	[['nuclei_cittadinanza_it', 'nuclei_cittadinanza_ue', 'nuclei_cittadinanza_extra_ue']],
	[['nuclei_patto_inclusione', 'nuclei_patto_lavoro', 'nuclei_esonerati']],
	[['nuclei_minori'], ['nuclei_disabili'], ['nuclei_over60']]
];

function packedSums(): { sums: string[]; unpack: Map<CategoryColumn, string> } {
	const unpack = new Map<CategoryColumn, string>();
	const sums = PACKS.map((pack, i) => {
		let slot = 0;
		const terms = pack.map((run) => {
			const whens = run.map((c) => {
				unpack.set(c, `((p${i} >> ${WIDTH * slot}) & ${2 ** WIDTH - 1})::INTEGER`);
				return `WHEN ${CATEGORY_RULES[c]} THEN ${2 ** (WIDTH * slot++)}`;
			});
			return `CASE ${whens.join(' ')} ELSE 0 END`;
		});
		return `sum(${terms.join(' + ')})::BIGINT AS p${i}`;
	});
	for (const c of CATEGORY_COLUMNS) if (!unpack.has(c)) unpack.set(c, unpack.get('nuclei_1')!); // nuclei_monocomponente
	return { sums, unpack };
}

/**
 * The one scan of the microdata: `mdg`, one row per month, measure and Comune code as read
 * (unvalidated: unknown codes and months are their own groups, for validate.ts), with the
 * number of rows breaking a row rule (`rowFault`, SQL), the non-NULL counts of `referral` and
 * `recipients` (checked per group by validate.ts) and every sum the roll-up needs.
 */
export async function scanMicrodata(db: Db, rowFault: string): Promise<void> {
	const common = `month, measure, comune, count(*)::INTEGER AS n, sum((${rowFault})::INTEGER)::INTEGER AS bad,
		count(referral)::INTEGER AS nref, count(recipients)::INTEGER AS nrec,
		-- equals CASE WHEN measure = 'SFL' THEN recipients ELSE members END on valid rows (the others fail the build)
		sum(coalesce(recipients, members))::BIGINT AS persone, TRY_CAST(sum(round(amount * 100)) AS BIGINT) AS cents`; // NULL for an infinite amount (a fault)
	const { sums, unpack } = packedSums();
	await db.run(`CREATE OR REPLACE TEMP TABLE mdgp AS SELECT ${common}, ${sums.join(', ')} FROM md GROUP BY month, measure, comune`);
	const [{ big }] = await db.all<{ big: boolean | null }>(`SELECT max(n) >= ${2 ** WIDTH} AS big FROM mdgp`);
	const keep = `month, measure, comune, n, bad, nref, nrec, n AS nuclei, TRY_CAST(persone AS INTEGER) AS persone, cents`;
	if (!big) await db.run(`CREATE OR REPLACE TABLE mdg AS SELECT ${keep}, ${CATEGORY_COLUMNS.map((c) => `${unpack.get(c)} AS ${c}`).join(', ')} FROM mdgp`);
	else {
		// some Comune has 2^21 households in a month: packed counts would overflow, so count one by one
		const plain = CATEGORY_COLUMNS.map((c) => `sum((${CATEGORY_RULES[c]})::INTEGER)::INTEGER AS ${c}`).join(', ');
		await db.run(`CREATE OR REPLACE TABLE mdg AS SELECT ${keep}, ${CATEGORY_COLUMNS.join(', ')} FROM (SELECT ${common}, ${plain} FROM md GROUP BY month, measure, comune)`);
	}
	await db.run(`DROP TABLE mdgp`);
}

/** Builds `cells` (every level) for the months given from the validated groups `mdg`. */
export async function aggregate(db: Db, months: string[]): Promise<{ cells: number }> {
	await loadMonthMeasures(db, months);
	await db.run(
		`CREATE OR REPLACE TABLE cagg AS
		SELECT mm.low, cm.ctid, ${SUM_COLUMNS.map((c) => `g.${c}`).join(', ')}
		FROM mdg g JOIN mm ON mm.month = g.month AND mm.measure = g.measure JOIN comune_map cm ON cm.comune = g.comune`
	);
	await db.run(
		`CREATE OR REPLACE TABLE cc AS
		SELECT mm.low, cm.ctid, cm.atid, cm.ptid, cm.rtid, ${SUM_COLUMNS.map((col) => `coalesce(a.${col}, 0) AS ${col}`).join(', ')}
		FROM mm CROSS JOIN comune_map cm LEFT JOIN cagg a ON a.low = mm.low AND a.ctid = cm.ctid`
	);
	const sums = SUM_COLUMNS.map((c) => `sum(${c})${c === 'cents' ? '::BIGINT' : '::INTEGER'} AS ${c}`).join(', ');
	const levels = ['atid', 'ptid', 'rtid'].map((k) => `SELECT ${k} AS tid, low, ${sums} FROM cc GROUP BY ${k}, low`);
	const itTid = `(SELECT tid FROM territories WHERE territory_id = 'it')`;
	await db.run(
		cellsSql(`SELECT ctid AS tid, low, ${SUM_COLUMNS.join(', ')} FROM cc
			UNION ALL ${levels.join(' UNION ALL ')}
			UNION ALL SELECT ${itTid} AS tid, low, ${sums} FROM cc GROUP BY low`)
	);
	await db.run(`DROP TABLE cc; DROP TABLE cagg`);
	const [{ n }] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM cells`);
	return { cells: Number(n) };
}

/** The columns a finished month keeps (in the cache too): month, measure, tid, the sums and the masks. */
export const MONTH_CELL_COLUMNS = ['month', 'measure', 'tid', ...SUM_COLUMNS, 'pm', 'sm'];

/**
 * From `monthcells` (MONTH_CELL_COLUMNS, every month of the publication, fresh or cached):
 * the view `cells` the extract table reads (territory attributes, sums, masks `pm` and `sm`) and
 * `sc` (key, pm, sm), keyed afresh.
 * Views, not tables: the extract table reads them once, so they are never materialised.
 */
export async function assembleCells(db: Db, months: string[]): Promise<{ cells: number }> {
	await loadMonthMeasures(db, months);
	await db.run(`DROP TABLE IF EXISTS cells; DROP TABLE IF EXISTS sc`);
	// only what the extract table reads (one join, the masks included: no self-join on key)
	await db.run(
		`CREATE OR REPLACE VIEW cells AS
		SELECT m.tid, t.territory_id, t.level, t.name, t.parent_id, t.region, t.residenti, m.month, m.measure,
			nuclei, persone, cents, ${categoriesSql('m.measure')}, m.pm, m.sm
		FROM monthcells m JOIN territories t ON t.tid = m.tid`
	);
	await db.run(`CREATE OR REPLACE VIEW sc AS SELECT m.tid::BIGINT * 65536 + mm.low AS key, m.pm, m.sm FROM monthcells m JOIN mm USING (month, measure)`);
	const [{ n }] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM monthcells`);
	return { cells: Number(n) };
}
