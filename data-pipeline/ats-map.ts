/**
 * The Comune→ATS map: read from the publisher's CSV (`--ats-map`), or, without one, a
 * synthetic map (DESIGN.md): contiguous Comuni of one Provincia, ~100k residents per ATS,
 * coded `X<RR><NNN>` and named "Ambito sintetico <Provincia> <n>".
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { levelOf } from '../contracts/territory.ts';
import type { Registry } from './registry.ts';
import { InputError, type Problem } from './problems.ts';

export interface AtsEntry {
	/** Code without prefix, e.g. `X15001`. */
	code: string;
	name: string;
	region: string;
}

export interface AtsMap {
	/** ISTAT Comune code → ATS code. */
	comuneToAts: Map<string, string>;
	ats: Map<string, AtsEntry>;
	synthetic: boolean;
	/** Comuni in the map that the registry does not know (listed, never silently dropped). */
	unknownComuni: string[];
}

const TARGET_RESIDENTS = 100_000;

/** The deterministic synthetic map: Comuni ordered by postal code inside each Provincia. */
export function syntheticAtsMap(registry: Registry): AtsMap {
	const byProvince = new Map<string, typeof registry.comuni>();
	for (const c of registry.comuni) {
		const list = byProvince.get(c.province) ?? [];
		list.push(c);
		byProvince.set(c.province, list);
	}
	const comuneToAts = new Map<string, string>();
	const ats = new Map<string, AtsEntry>();
	const perRegion = new Map<string, number>();
	for (const province of [...byProvince.keys()].sort()) {
		const list = byProvince.get(province)!.sort((a, b) => a.cap.localeCompare(b.cap) || a.code.localeCompare(b.code));
		let population = 0;
		let n = 0;
		let code = '';
		for (const c of list) {
			// Greedy cut: a new ATS when this Comune would push the current one past the target.
			if (n === 0 || (population > 0 && population + c.population > TARGET_RESIDENTS)) {
				n++;
				population = 0;
				const seq = (perRegion.get(c.region) ?? 0) + 1;
				perRegion.set(c.region, seq);
				code = `X${c.region}${String(seq).padStart(3, '0')}`;
				ats.set(code, { code, name: `Ambito sintetico ${c.provinceName} ${n}`, region: c.region });
			}
			population += c.population;
			comuneToAts.set(c.code, code);
		}
	}
	return { comuneToAts, ats, synthetic: true, unknownComuni: [] };
}

/** Reads a real map: CSV with header `comune,ats_code,ats_name` (ISTAT code, ATS code without `a:`, name). */
export function readAtsMapCsv(file: string, registry: Registry): AtsMap {
	let rows: Record<string, string>[];
	try {
		rows = parse(readFileSync(file), { columns: true, skip_empty_lines: true, trim: true });
	} catch (e) {
		throw new InputError([{ kind: 'unparseable ATS map', file, message: (e as Error).message }]);
	}
	const problems: Problem[] = [];
	const need = ['comune', 'ats_code', 'ats_name'];
	const missing = need.filter((c) => rows.length > 0 && !(c in rows[0]!));
	if (missing.length) throw new InputError([{ kind: 'missing column', file, field: missing.join(', '), message: `the ATS map needs columns ${need.join(', ')}` }]);
	const comuneToAts = new Map<string, string>();
	const ats = new Map<string, AtsEntry>();
	const unknownComuni: string[] = [];
	rows.forEach((r, i) => {
		const row = i + 2;
		const comune = r.comune!.padStart(6, '0');
		const code = r.ats_code!;
		if (levelOf(`a:${code}`) !== 'ats') return problems.push({ kind: 'invalid ATS code', file, row, field: 'ats_code', message: JSON.stringify(code) });
		const c = registry.byCode.get(comune);
		if (!c) return unknownComuni.push(comune);
		if (comuneToAts.has(comune)) return problems.push({ kind: 'Comune in two ATS', file, row, field: 'comune', message: comune });
		const prev = ats.get(code);
		if (prev && prev.region !== c.region) return problems.push({ kind: 'ATS across Regioni', file, row, field: 'ats_code', message: `${code} has Comuni in Regioni ${prev.region} and ${c.region}` });
		ats.set(code, { code, name: r.ats_name || code, region: c.region });
		comuneToAts.set(comune, code);
	});
	const unmapped = registry.comuni.filter((c) => !comuneToAts.has(c.code));
	for (const c of unmapped) problems.push({ kind: 'Comune without ATS', file, field: 'comune', message: `${c.code} ${c.name}` });
	if (problems.length) throw new InputError(problems);
	return { comuneToAts, ats, synthetic: false, unknownComuni };
}
