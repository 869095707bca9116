/**
 * verify's check of the boundary files (`geo/RR.topo.json`): a TopoJSON topology whose
 * `comuni` object holds Comuni of Regione RR keyed `c:ISTAT`, and (manifest schema 6 on) whose
 * `ats` object holds every ATS of the Regione once, keyed `a:CODE`, each exactly the union
 * of its Comuni in the file (topojson-client `mergeArcs` of the Comuni whose parent it is in
 * the extract rows). `geo/regioni.topo.json` is only hashed (verify-files.ts).
 */
import { readFileSync } from 'node:fs';
import { mergeArcs } from 'topojson-client';
import type { GeometryCollection, GeometryObject, MultiPolygon, Polygon, Topology } from 'topojson-specification';
import { levelOf } from '../contracts/territory.ts';
import type { Manifest } from '../contracts/manifest.ts';

/** The first manifest schema whose Regione boundary files must carry the `ats` object. */
export const ATS_AREAS_FROM_SCHEMA = 6;

const REGIONE_FILE = /\/geo\/(\d{2})\.topo\.json$/;

/** A territory of the extract rows: its level, parent (a Comune's is its ATS) and Regione code. */
export interface TerritoryOfRows {
	territory_id: string;
	level: string;
	parent_id: string | null;
	region: string | null;
}

/** Checks each Regione boundary file of `manifest` (absolute path from `resolve`) against the territories of the extract rows. */
export function checkBoundaryFiles(manifest: Manifest, resolve: (p: string) => string, territories: readonly TerritoryOfRows[], faults: string[]): void {
	const regionOf = new Map(territories.map((t) => [t.territory_id, t.region]));
	const parentOf = new Map(territories.map((t) => [t.territory_id, t.parent_id]));
	const withAts = manifest.schema_version >= ATS_AREAS_FROM_SCHEMA;
	for (const f of manifest.files) {
		const region = f.kind === 'boundaries' ? REGIONE_FILE.exec(f.path)?.[1] : undefined;
		if (!region) continue;
		const fault = (m: string) => faults.push(`${f.path}: ${m}`);
		let topo: Topology;
		try {
			topo = JSON.parse(readFileSync(resolve(f.path), 'utf8')) as Topology;
		} catch (e) {
			fault(`not JSON (${(e as Error).message})`);
			continue;
		}
		const comuni = collection(topo, 'comuni');
		if (topo?.type !== 'Topology' || !Array.isArray(topo.arcs) || !comuni) {
			fault(`not a TopoJSON topology with a 'comuni' object`);
			continue;
		}
		const wrong = comuni.geometries.filter((g) => levelOf(String(g.id)) !== 'comune' || regionOf.get(String(g.id)) !== region);
		if (wrong.length) fault(`${wrong.length} Comuni not of Regione ${region} (first: ${JSON.stringify(wrong[0]!.id)})`);
		const ats = collection(topo, 'ats');
		if (!ats) {
			if (withAts) fault(`no 'ats' object (manifest schema ${manifest.schema_version})`);
			continue;
		}
		checkAtsAreas(topo, region, comuni, ats, territories, parentOf, fault);
	}
}

function collection(topo: Topology, name: string): GeometryCollection | null {
	const o = topo?.objects?.[name] as GeometryCollection | undefined;
	return o?.type === 'GeometryCollection' && Array.isArray(o.geometries) ? o : null;
}

function checkAtsAreas(
	topo: Topology,
	region: string,
	comuni: GeometryCollection,
	ats: GeometryCollection,
	territories: readonly TerritoryOfRows[],
	parentOf: Map<string, string | null>,
	fault: (m: string) => void
): void {
	const expected = territories.filter((t) => t.level === 'ats' && t.region === region).map((t) => t.territory_id);
	const ids = ats.geometries.map((g) => String(g.id));
	const invalid = ids.filter((id) => levelOf(id) !== 'ats');
	if (invalid.length) fault(`ATS ids not valid: ${invalid.slice(0, 5).map((id) => JSON.stringify(id)).join(', ')}`);
	const twice = ids.filter((id, k) => ids.indexOf(id) !== k);
	if (twice.length) fault(`ATS listed twice: ${twice.slice(0, 5).join(', ')}`);
	const missing = expected.filter((id) => !ids.includes(id));
	if (missing.length) fault(`${missing.length} ATS of Regione ${region} without an area: ${missing.slice(0, 5).join(', ')}`);
	const foreign = ids.filter((id) => levelOf(id) === 'ats' && !expected.includes(id));
	if (foreign.length) fault(`ATS not of Regione ${region}: ${foreign.slice(0, 5).join(', ')}`);
	const members = new Map<string, (Polygon | MultiPolygon)[]>();
	for (const g of comuni.geometries as GeometryObject[]) {
		const a = parentOf.get(String(g.id));
		if (a && (g.type === 'Polygon' || g.type === 'MultiPolygon')) members.set(a, [...(members.get(a) ?? []), g]);
	}
	let differ = 0;
	let first = '';
	for (const g of ats.geometries as GeometryObject[]) {
		const id = String(g.id);
		if (!expected.includes(id)) continue;
		let same = false;
		try {
			same = g.type === 'MultiPolygon' && JSON.stringify(g.arcs) === JSON.stringify(mergeArcs(topo, members.get(id) ?? []).arcs);
		} catch {
			// arcs out of range
		}
		if (!same && !differ++) first = id;
	}
	if (differ) fault(`${differ} ATS areas differ from the union of their Comuni (first: ${first})`);
}
