/**
 * The pipeline's boundary files (`<version>/geo/RR.topo.json`, manifest kind `boundaries`,
 * scope `it`): fetched through the data layer (token, sha256, cache), parsed once per file.
 */
import { codeOf, levelOf, type ManifestFile, type TerritoryId } from '#contracts';
import { extracts } from '#lib/data/session.ts';
import type { Topology } from 'topojson-specification';

const parsed = new Map<string, Promise<Topology>>();
/** The file last read for each Regione, once parsed: a map mounted again starts with it (no frame without the map). */
const lastRead = new Map<TerritoryId, Topology | null>();

/** The boundaries `loadBoundaries(regione)` last gave, if any (undefined: not read yet); `loadBoundaries` still says whether they are current. */
export function readBoundaries(regione: TerritoryId): Topology | null | undefined {
	return lastRead.get(regione);
}

/** The boundary file of a Regione in the manifest, or null when none was published. */
export function boundaryFileOf(files: readonly ManifestFile[], regione: TerritoryId): ManifestFile | null {
	if (levelOf(regione) !== 'regione') return null;
	const name = `/geo/${codeOf(regione)}.topo.json`;
	return files.find((f) => f.kind === 'boundaries' && f.path.endsWith(name)) ?? null;
}

/** The Comuni boundaries of `regione`, or null when the publication has none (demo without `--boundaries`). */
export async function loadBoundaries(regione: TerritoryId): Promise<Topology | null> {
	const file = boundaryFileOf((await extracts.manifest()).files, regione);
	if (!file) {
		lastRead.set(regione, null);
		return null;
	}
	let p = parsed.get(file.sha256);
	if (!p) {
		p = extracts.bytes(file).then((b) => JSON.parse(new TextDecoder().decode(b)) as Topology);
		parsed.set(file.sha256, p);
		p.catch(() => parsed.delete(file.sha256));
	}
	const topo = await p;
	lastRead.set(regione, topo);
	return topo;
}
