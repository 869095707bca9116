/**
 * The demo's data, from the pipeline's `data-pipeline/demo.ts`: building the demo extracts
 * and choosing the demo territories (a Regione, an ATS in it, a Comune of that ATS) from them.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DemoTerritories, NamedTerritory } from '../idp/demo-identities.ts';

interface DemoModule {
	buildDemoExtracts(outDir: string, opts?: { boundaries?: string }): Promise<unknown>;
	demoTerritories(extractsDir: string): Promise<unknown> | unknown;
}

const DEMO_MODULE = fileURLToPath(new URL('../data-pipeline/demo.ts', import.meta.url));

async function demoModule(): Promise<DemoModule | null> {
	if (!existsSync(DEMO_MODULE)) return null;
	return (await import(DEMO_MODULE)) as DemoModule;
}

/** Builds the demo extracts into `outDir`; false when the pipeline has no demo builder. */
export async function buildDemoExtracts(outDir: string, boundaries?: string): Promise<boolean> {
	const mod = await demoModule();
	if (!mod) return false;
	await mod.buildDemoExtracts(outDir, { boundaries });
	return true;
}

/** Veneto / Padova placeholders, used only while the pipeline cannot say which territories it built. */
export const PLACEHOLDER_TERRITORIES: DemoTerritories = {
	regione: { id: 'r:05', name: 'Veneto' },
	ats: { id: 'a:X05003', name: 'Ambito sintetico Padova 3' },
	comune: { id: 'c:028001', name: 'Abano Terme' }
};

/** The territories the demo identities are accredited for, read from the built extracts. */
export async function demoTerritories(extractsDir: string): Promise<DemoTerritories> {
	const mod = await demoModule();
	if (!mod) return PLACEHOLDER_TERRITORIES;
	const raw = (await mod.demoTerritories(extractsDir)) as Record<string, unknown>;
	const named = (key: keyof DemoTerritories): NamedTerritory => {
		const t = (raw[key] ?? {}) as Record<string, unknown>;
		const id = t.id ?? t.territory_id;
		if (typeof id !== 'string' || typeof t.name !== 'string') throw new Error(`demoTerritories: no ${key} with id and name`);
		return { id, name: t.name };
	};
	return { regione: named('regione'), ats: named('ats'), comune: named('comune') };
}
