/**
 * Boundary files for the app's map (`--boundaries`, TopoJSON with a `comuni` object keyed by
 * `com_istat_code`, like ../shared/data/geo/): `geo/RR.topo.json` per Regione (object
 * `comuni`, each geometry with id `c:ISTAT` and properties `{istat, name}`; object `ats`, each
 * ATS of the Regione with id `a:CODE`, properties `{ats, name}`, the union of its Comuni as a
 * MultiPolygon of the same arcs), simplified so a Regione's file stays small, and
 * `geo/regioni.topo.json` (object `regioni`, properties `{regione, name}`) when the source has
 * a `regioni` object. Codes that differ between the boundaries and the registry are listed,
 * never dropped silently.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mergeArcs, quantize } from 'topojson-client';
import { presimplify, quantile, simplify } from 'topojson-simplify';
import type { GeometryCollection, GeometryObject, MultiPolygon, Polygon, Topology } from 'topojson-specification';
import type { AtsEntry, AtsMap } from './ats-map.ts';
import type { Logger } from './log.ts';
import type { Registry } from './registry.ts';
import type { WrittenFile } from './write-extracts.ts';

// Share of the points kept (by visual importance): 25% gave Lombardia 345 kB; 12% aims at ~200 kB.
const KEEP = 0.12;

type Geom = GeometryObject<Record<string, unknown>> & { arcs?: unknown };

/** Keeps only `geometries` and the arcs they use (arc indexes renumbered). */
function subset(topo: Topology, name: string, geometries: Geom[]): Topology {
	const map = new Map<number, number>();
	const arcs: Topology['arcs'] = [];
	const remap = (a: unknown): unknown => {
		if (Array.isArray(a)) return a.map(remap);
		const i = a as number;
		const j = i < 0 ? ~i : i;
		if (!map.has(j)) {
			map.set(j, arcs.length);
			arcs.push(topo.arcs[j]!);
		}
		return i < 0 ? ~map.get(j)! : map.get(j)!;
	};
	const geoms = geometries.map((g) => ({ ...g, arcs: remap(g.arcs) }) as Geom);
	return { type: 'Topology', transform: topo.transform, arcs, objects: { [name]: { type: 'GeometryCollection', geometries: geoms } as GeometryCollection } };
}

function simplified(topo: Topology): Topology {
	const pre = presimplify(topo as never);
	// simplify leaves absolute coordinates: quantize again (1e4 steps across a Regione ≈ 30 m)
	return quantize(simplify(pre, quantile(pre, 1 - KEEP)) as never, 1e4) as unknown as Topology;
}

/**
 * Adds the object `ats` to a Regione's (simplified) topology: one MultiPolygon per ATS of
 * `ats`, the union of its Comuni (topojson-client's `mergeArcs`: the arcs the Comuni do not
 * share, stitched into rings), so the app draws ATS areas without merging in the browser.
 * An ATS none of whose Comuni has a boundary gets an empty MultiPolygon (still listed).
 */
export function withAtsAreas(topo: Topology, ats: readonly AtsEntry[], atsOfComune: (istat: string) => string | undefined): Topology {
	const comuni = (topo.objects.comuni as GeometryCollection<{ istat: string }>).geometries;
	const members = new Map<string, (Polygon | MultiPolygon)[]>();
	for (const g of comuni) {
		const a = atsOfComune((g.properties as { istat: string }).istat);
		if (a === undefined || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) continue;
		members.set(a, [...(members.get(a) ?? []), g]);
	}
	const geometries = [...ats]
		.sort((a, b) => (a.code < b.code ? -1 : 1))
		.map((a) => ({ type: 'MultiPolygon', id: `a:${a.code}`, properties: { ats: a.code, name: a.name }, arcs: mergeArcs(topo, members.get(a.code) ?? []).arcs }) as MultiPolygon);
	return { ...topo, objects: { ...topo.objects, ats: { type: 'GeometryCollection', geometries } } };
}

export async function writeBoundaries(source: string, registry: Registry, ats: AtsMap, dir: string, log: Logger): Promise<WrittenFile[]> {
	const topo = JSON.parse(readFileSync(source, 'utf8')) as Topology;
	const comuni = topo.objects.comuni as { geometries: (Geom & { properties?: Record<string, string> })[] } | undefined;
	if (!comuni) throw new Error(`${source}: no 'comuni' object`);
	const byRegion = new Map<string, Geom[]>();
	const unknown: string[] = [];
	const seen = new Set<string>();
	for (const g of comuni.geometries) {
		const code = String(g.properties?.com_istat_code ?? '');
		const c = registry.byCode.get(code);
		if (!c) {
			unknown.push(code);
			continue;
		}
		seen.add(code);
		const list = byRegion.get(c.region) ?? [];
		list.push({ ...(g as Geom), id: `c:${code}`, properties: { istat: code, name: c.name } });
		byRegion.set(c.region, list);
	}
	const missing = registry.comuni.filter((c) => !seen.has(c.code)).map((c) => c.code);
	if (unknown.length) log.warn(`boundaries: ${unknown.length} Comuni not in the registry (not drawn): ${unknown.join(', ')}`);
	if (missing.length) log.warn(`boundaries: ${missing.length} registry Comuni without a boundary: ${missing.join(', ')}`);
	mkdirSync(join(dir, 'geo'), { recursive: true });
	const files: WrittenFile[] = [];
	for (const [region, geoms] of [...byRegion].sort()) {
		const path = `geo/${region}.topo.json`;
		const areas = [...ats.ats.values()].filter((a) => a.region === region);
		writeFileSync(join(dir, path), JSON.stringify(withAtsAreas(simplified(subset(topo, 'comuni', geoms)), areas, (c) => ats.comuneToAts.get(c))));
		files.push({ path, scope: 'it', rows: geoms.length });
	}
	const regioni = topo.objects.regioni as { geometries: (Geom & { properties?: Record<string, string> })[] } | undefined;
	if (regioni) {
		const geoms = regioni.geometries.map((g) => ({ ...(g as Geom), id: `r:${g.properties?.reg_istat_code}`, properties: { regione: g.properties?.reg_istat_code, name: g.properties?.reg_name } }));
		writeFileSync(join(dir, 'geo/regioni.topo.json'), JSON.stringify(simplified(subset(topo, 'regioni', geoms))));
		files.push({ path: 'geo/regioni.topo.json', scope: 'it', rows: geoms.length });
	}
	return files;
}
