/**
 * The territory table of a build: every Comune, ATS, Provincia, Regione and Italia with its
 * name, parent and residents, loaded into DuckDB as `territories`, plus `comune_map`
 * (each Comune's ATS, Provincia and Regione) for the roll-up.
 */
import type { AtsMap } from './ats-map.ts';
import type { Db } from './db.ts';
import type { Registry } from './registry.ts';

export interface TerritoryRow {
	territory_id: string;
	level: 'italia' | 'regione' | 'provincia' | 'ats' | 'comune';
	name: string;
	parent_id: string | null;
	residenti: number;
	/** Regione code (`it` for Italia), for partitioning files. */
	region: string;
	/** Integer id (1-based, in territory_id order) for the SQL joins. */
	tid: number;
}

/** Builds the territory rows (Comune parent = ATS; ATS and Provincia parent = Regione). */
export function territoryRows(registry: Registry, ats: AtsMap): TerritoryRow[] {
	const rows = new Map<string, TerritoryRow>();
	const add = (r: Omit<TerritoryRow, 'residenti' | 'tid'>, pop: number) => {
		const prev = rows.get(r.territory_id);
		if (prev) prev.residenti += pop;
		else rows.set(r.territory_id, { ...r, residenti: pop, tid: 0 });
	};
	for (const c of registry.comuni) {
		const a = ats.comuneToAts.get(c.code)!;
		add({ territory_id: 'it', level: 'italia', name: 'Italia', parent_id: null, region: 'it' }, c.population);
		add({ territory_id: `r:${c.region}`, level: 'regione', name: c.regionName, parent_id: 'it', region: c.region }, c.population);
		add({ territory_id: `p:${c.province}`, level: 'provincia', name: c.provinceName, parent_id: `r:${c.region}`, region: c.region }, c.population);
		add({ territory_id: `a:${a}`, level: 'ats', name: ats.ats.get(a)!.name, parent_id: `r:${c.region}`, region: c.region }, c.population);
		add({ territory_id: `c:${c.code}`, level: 'comune', name: c.name, parent_id: `a:${a}`, region: c.region }, c.population);
	}
	const sorted = [...rows.values()].sort((a, b) => (a.territory_id < b.territory_id ? -1 : 1));
	sorted.forEach((r, i) => (r.tid = i + 1));
	return sorted;
}

/** Loads `territories` and `comune_map` into the database. */
export async function loadTerritories(db: Db, registry: Registry, ats: AtsMap): Promise<TerritoryRow[]> {
	const rows = territoryRows(registry, ats);
	const tid = new Map(rows.map((r) => [r.territory_id, r.tid]));
	await db.load(
		'territories',
		{ tid: 'INTEGER', territory_id: 'VARCHAR', level: 'VARCHAR', name: 'VARCHAR', parent_id: 'VARCHAR', ptid: 'INTEGER', residenti: 'INTEGER', region: 'VARCHAR' },
		rows.map((r) => [r.tid, r.territory_id, r.level, r.name, r.parent_id, r.parent_id ? tid.get(r.parent_id)! : null, r.residenti, r.region])
	);
	await db.load(
		'comune_map',
		{ comune: 'VARCHAR', c_id: 'VARCHAR', ctid: 'INTEGER', atid: 'INTEGER', ptid: 'INTEGER', rtid: 'INTEGER' },
		registry.comuni.map((c) => [c.code, `c:${c.code}`, tid.get(`c:${c.code}`)!, tid.get(`a:${ats.comuneToAts.get(c.code)}`)!, tid.get(`p:${c.province}`)!, tid.get(`r:${c.region}`)!])
	);
	return rows;
}
