/**
 * Pure helpers of the choropleth: class breaks, colours, legend and the join between the
 * boundary file and the data. Suppressed areas (value null) get no class: they are drawn
 * hatched and the legend says "dato riservato".
 */
import { quantileSorted, schemeBlues } from 'd3';
import type { Feature, FeatureCollection, Geometry, MultiPolygon } from 'geojson';
import { feature, merge } from 'topojson-client';
import type { GeometryCollection, GeometryObject, Topology } from 'topojson-specification';

/**
 * ColorBrewer "Blues" (single hue, readable by every form of colour blindness); the
 * lightest class is dropped because it disappears against the white page.
 */
export const MAP_PALETTE: readonly string[] = schemeBlues[6].slice(1);

/** Fill of areas with no class (suppressed or missing): the hatch pattern id is added by the component. */
export const SUPPRESSED_FILL = '#d9d9d9';

/**
 * Quantile class breaks (at most `classes - 1` thresholds, duplicates dropped) of the
 * non-null values; an empty array when fewer than two distinct values exist. When zeros
 * are common (small Comuni with no household paid), they get a class of their own and the
 * quantiles split the positive values, so the map does not collapse into two colours.
 */
export function quantileBreaks(values: ArrayLike<number | null>, classes = MAP_PALETTE.length): number[] {
	// Sorted once, numerically (a typed array), and the quantiles read off it: d3's `quantile`
	// copied and partly sorted the values again for each break.
	let n = 0;
	const known = new Float64Array(values.length);
	for (let i = 0; i < values.length; i++) {
		const v = values[i];
		if (v !== null && Number.isFinite(v)) known[n++] = v;
	}
	const sorted = known.subarray(0, n).sort();
	// Sorted: at least two distinct values when the first and last differ.
	const distinct = (a: Float64Array) => a.length > 1 && a[0] !== a[a.length - 1];
	if (!distinct(sorted)) return [];
	const firstPositive = sorted.findIndex((v) => v > 0);
	const positive = sorted.subarray(firstPositive < 0 ? n : firstPositive);
	const zeroClass = sorted[0] === 0 && positive.length < sorted.length && distinct(positive);
	const base = zeroClass ? positive : sorted;
	const k = zeroClass ? classes - 1 : classes;
	const breaks: number[] = zeroClass ? [positive[0]] : [];
	for (let i = 1; i < k; i++) {
		// d3's types ask for an array; it only reads `length` and indices.
		const q = quantileSorted(base as unknown as number[], i / k)!;
		if (q > base[0] && (breaks.length === 0 || q > breaks[breaks.length - 1])) breaks.push(q);
	}
	return breaks;
}

/** The class (0-based) of a value for the given breaks (threshold semantics: a value equal to a break goes up), or null. */
export function classOf(value: number | null | undefined, breaks: readonly number[]): number | null {
	if (value === null || value === undefined || !Number.isFinite(value)) return null;
	let k = 0;
	while (k < breaks.length && value >= breaks[k]) k++;
	return k;
}

/** The palette for `breaks.length + 1` classes, spread over MAP_PALETTE so contrast stays wide. */
export function paletteFor(breaks: readonly number[]): string[] {
	const n = breaks.length + 1;
	if (n >= MAP_PALETTE.length) return [...MAP_PALETTE];
	if (n === 1) return [MAP_PALETTE[Math.floor(MAP_PALETTE.length / 2)]];
	return Array.from({ length: n }, (_, i) => MAP_PALETTE[Math.round((i * (MAP_PALETTE.length - 1)) / (n - 1))]);
}

/** The fill of a value: its class colour, or null when suppressed/missing (drawn hatched). */
export function fillOf(value: number | null | undefined, breaks: readonly number[], palette: readonly string[]): string | null {
	const k = classOf(value, breaks);
	return k === null ? null : palette[k];
}

/** One legend entry. `suppressed` marks the hatched "dato riservato" swatch. */
export interface LegendEntry {
	color: string | null;
	label: string;
	suppressed?: boolean;
}

/**
 * Legend entries for the breaks, lowest first ("meno di 2,5", "da 2,5 a meno di 4", "4 e oltre"),
 * then the hatched entry when some area is suppressed or missing.
 */
export function legendEntries(
	breaks: readonly number[],
	palette: readonly string[],
	format: (n: number) => string,
	withSuppressed: boolean
): LegendEntry[] {
	const entries: LegendEntry[] =
		breaks.length === 0
			? [{ color: palette[0], label: 'tutti i valori' }]
			: [
					{ color: palette[0], label: `meno di ${format(breaks[0])}` },
					...breaks.slice(1).map((b, i) => ({ color: palette[i + 1], label: `da ${format(breaks[i])} a meno di ${format(b)}` })),
					{ color: palette[breaks.length], label: `${format(breaks[breaks.length - 1])} e oltre` }
				];
	if (withSuppressed) entries.push({ color: null, label: 'dato riservato o assente', suppressed: true });
	return entries;
}

/** The ISTAT code of a boundary feature: its `id`, else `com_istat_code` (the openpolis field). */
export function istatCodeOf(f: Feature): string | null {
	const raw = f.id ?? (f.properties as Record<string, unknown> | null)?.com_istat_code;
	if (raw === undefined || raw === null) return null;
	// The pipeline's per-Regione files key each Comune by its territory id (`c:061001`).
	return String(raw).replace(/^c:/, '').padStart(6, '0');
}

/** The `comuni` object of a boundary topology as GeoJSON features, each with `id` = `c:ISTAT`. */
export function comuniFeatures(topo: Topology, objectName = 'comuni'): Feature<Geometry, { name?: string }>[] {
	const obj = topo.objects[objectName] as GeometryCollection | undefined;
	if (!obj) throw new Error(`Boundary file has no "${objectName}" object`);
	const fc = feature(topo, obj) as FeatureCollection<Geometry>;
	return fc.features.flatMap((f) => {
		const code = istatCodeOf(f);
		return code ? [{ ...f, id: `c:${code}`, properties: { name: (f.properties as { name?: string } | null)?.name } }] : [];
	});
}

/**
 * The ATS areas a boundary file carries (object `ats`, written by the pipeline from manifest
 * schema 6: each the union of its Comuni, id `a:CODE`), or null when the file predates them.
 * An ATS without any Comune boundary (an empty MultiPolygon) is left out, as `groupFeatures` does.
 */
export function atsFeatures(topo: Topology, objectName = 'ats'): Feature<MultiPolygon, { name?: string }>[] | null {
	const obj = topo.objects[objectName] as GeometryCollection | undefined;
	if (!obj) return null;
	const fc = feature(topo, obj) as FeatureCollection<MultiPolygon, { name?: string } | null>;
	return fc.features.flatMap((f) => (f.id !== undefined && f.geometry?.coordinates.length ? [{ ...f, id: String(f.id), properties: { name: f.properties?.name } }] : []));
}

/**
 * Areas made of several Comuni (an ATS): the Comuni of each group merged along their
 * shared arcs, so the internal borders vanish. `groupOf` maps `c:ISTAT` to the group id.
 * For boundary files without the `ats` object (before manifest schema 6): see `atsFeatures`.
 */
export function groupFeatures(
	topo: Topology,
	groupOf: ReadonlyMap<string, string>,
	objectName = 'comuni'
): Feature<MultiPolygon, { name?: string }>[] {
	const obj = topo.objects[objectName] as GeometryCollection | undefined;
	if (!obj) throw new Error(`Boundary file has no "${objectName}" object`);
	const members = new Map<string, GeometryObject[]>();
	for (const g of obj.geometries) {
		const code = istatCodeOf({ type: 'Feature', id: g.id, properties: g.properties ?? null, geometry: null as never });
		const group = code ? groupOf.get(`c:${code}`) : undefined;
		if (!group) continue;
		if (!members.has(group)) members.set(group, []);
		members.get(group)!.push(g);
	}
	return [...members].map(([id, geoms]) => ({
		type: 'Feature',
		id,
		properties: {},
		geometry: merge(topo, geoms as Parameters<typeof merge>[1])
	}));
}
