/**
 * The Comune→ATS map the ATS rule needs ("a Comune OF THAT ATS"). Preferred source: the
 * published extracts (`--extracts DIR`), whose manifest gives each Comune file's ATS in
 * `within` — the very map the gateway enforces, so a registered user can never be given a
 * Comune their ATS does not reach. Alternative: the publisher's CSV (`--ats-map FILE`, the
 * pipeline's format `comune,ats_code,ats_name`).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Manifest } from '../contracts/manifest.ts';
import { levelOf, type TerritoryId } from '../contracts/territory.ts';

export interface TerritoryMap {
	/** `c:ISTAT` → `a:CODE` */
	comuneToAts: Map<TerritoryId, TerritoryId>;
	/** Every known ATS id. */
	ats: Set<TerritoryId>;
	/** Where the map was read from (for messages). */
	source: string;
}

/** The 20 Regioni by ISTAT code. */
export const REGIONI: ReadonlySet<string> = new Set(Array.from({ length: 20 }, (_, i) => `r:${String(i + 1).padStart(2, '0')}`));

/** Reads the map from a published extracts directory (its `manifest.json`). */
export async function mapFromExtracts(dir: string): Promise<TerritoryMap> {
	const file = path.join(dir, 'manifest.json');
	const manifest = JSON.parse(await readFile(file, 'utf8')) as Manifest;
	const map: TerritoryMap = { comuneToAts: new Map(), ats: new Set(), source: file };
	for (const f of manifest.files) {
		const ats = [f.scope, ...f.within].filter((t) => levelOf(t) === 'ats');
		for (const a of ats) map.ats.add(a);
		if (levelOf(f.scope) === 'comune' && ats[0]) map.comuneToAts.set(f.scope, ats[0]);
	}
	if (map.comuneToAts.size === 0) throw new Error(`${file}: no Comune files with their ATS: cannot check the ATS rule`);
	return map;
}

/** Reads the map from the publisher's CSV (`comune,ats_code[,ats_name]`). */
export async function mapFromCsv(file: string): Promise<TerritoryMap> {
	const rows = parse(await readFile(file), { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
	if (rows.length > 0 && (!('comune' in rows[0]) || !('ats_code' in rows[0]))) {
		throw new Error(`${file}: the ATS map needs the columns comune, ats_code`);
	}
	const map: TerritoryMap = { comuneToAts: new Map(), ats: new Set(), source: file };
	rows.forEach((r, i) => {
		const comune = `c:${r.comune.padStart(6, '0')}`;
		const ats = `a:${r.ats_code}`;
		if (levelOf(comune) !== 'comune' || levelOf(ats) !== 'ats') throw new Error(`${file}: row ${i + 2}: malformed Comune or ATS code`);
		map.comuneToAts.set(comune, ats);
		map.ats.add(ats);
	});
	return map;
}

/** Loads the map from whichever option was given. */
export async function loadTerritoryMap(opts: { extracts?: string; atsMap?: string }): Promise<TerritoryMap | null> {
	if (opts.extracts) return mapFromExtracts(opts.extracts);
	if (opts.atsMap) return mapFromCsv(opts.atsMap);
	return null;
}
