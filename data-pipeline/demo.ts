/**
 * The demo publication: small-scale synthetic microdata for the whole history (2019-04 →
 * last complete month), built and published like a real run. Used by `npm start` and the
 * end-to-end tests' setup.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticAtsMap } from './ats-map.ts';
import { build, type BuildReport } from './build.ts';
import { generate } from './generate.ts';
import { silentLogger, type Logger } from './log.ts';
import { FIRST_MONTH, lastCompleteMonth } from './months.ts';
import { readManifest } from './publish.ts';
import { loadComuniJson } from './registry.ts';

export interface DemoOptions {
	outDir: string;
	/** TopoJSON of Comuni boundaries (like ../shared/data/geo/italy_comuni_province_regioni.topo.json). */
	boundaries?: string;
	/** Fraction of the national volume (~1.2M households a month); default 0.02. */
	scale?: number;
	seed?: number;
	/** Regioni with ATS and Comune files (default Campania only: ~600 files instead of ~8,500, seconds instead of minutes). */
	detailRegions?: string[] | 'all';
	log?: Logger;
}

/** Generates demo microdata and publishes extracts into `outDir` (a new version each call). */
export async function buildDemoExtracts(opts: DemoOptions): Promise<BuildReport> {
	const log = opts.log ?? silentLogger;
	const registry = loadComuniJson();
	const work = mkdtempSync(join(tmpdir(), 'cruscotto-demo-'));
	try {
		const to = lastCompleteMonth();
		await generate({ out: work, registry, from: FIRST_MONTH, to, scale: opts.scale ?? 0.02, seed: opts.seed ?? 1, singleFile: true, log });
		return await build({ microdata: work, out: opts.outDir, registry, boundaries: opts.boundaries, keep: 2, syntheticMicrodata: true, lastMonth: to, log, detailRegions: opts.detailRegions === 'all' ? undefined : (opts.detailRegions ?? ['15']) });
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}

/** The demo identities' territories: Campania, an ATS of the Provincia di Napoli, its largest Comune. */
export function demoTerritories(extractsDir: string): { regione: string; ats: string; comune: string } {
	const registry = loadComuniJson();
	const map = syntheticAtsMap(registry);
	// The synthetic ATS of Pozzuoli (with Procida and Serrara Fontana): ~94k residents, large counts.
	const pozzuoli = '063060';
	const ats = map.comuneToAts.get(pozzuoli)!;
	const ids = { regione: 'r:15', ats: `a:${ats}`, comune: `c:${pozzuoli}` };
	const manifest = readManifest(extractsDir);
	if (!manifest) throw new Error(`No manifest.json in ${extractsDir}: build the demo extracts first`);
	for (const id of Object.values(ids)) {
		if (!manifest.files.some((f) => f.scope === id && f.kind === 'extract')) throw new Error(`The published version has no extract for ${id}`);
	}
	return ids;
}
