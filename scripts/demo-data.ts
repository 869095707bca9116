/**
 * The demo's data, from the pipeline's `data-pipeline/demo.ts`: building the demo extracts
 * and naming the demo territories (a Regione, an ATS in it, a Comune of that ATS).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FirstViewSummary, Manifest } from '#contracts';
import * as demo from '../data-pipeline/demo.ts';
import type { Logger } from '../data-pipeline/log.ts';
import type { DemoTerritories, NamedTerritory } from '../idp/demo-identities.ts';

/** Builds the demo extracts into `outDir` (a published version with its manifest). */
export async function buildDemoExtracts(outDir: string, boundaries?: string, log?: Logger): Promise<boolean> {
	await demo.buildDemoExtracts({ outDir, boundaries, log });
	return true;
}

/** The territories the demo identities are accredited for, checked against the built extracts. */
export async function demoTerritories(extractsDir: string): Promise<DemoTerritories> {
	const ids = demo.demoTerritories(extractsDir);
	const manifest = JSON.parse(await readFile(path.join(extractsDir, 'manifest.json'), 'utf8')) as Manifest;
	// Names come from the published first-view summaries (a public contract), not pipeline internals.
	const named = async (id: string): Promise<NamedTerritory> => {
		const summary = manifest.files.find((f) => f.kind === 'summary' && f.scope === id);
		if (!summary) return { id, name: id };
		const json = JSON.parse(await readFile(path.join(extractsDir, summary.path), 'utf8')) as FirstViewSummary;
		return { id, name: json.territory.name };
	};
	return { regione: await named(ids.regione), ats: await named(ids.ats), comune: await named(ids.comune) };
}
