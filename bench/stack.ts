/**
 * The benchmark's own running system: the identity provider with the bench's registry (two
 * extra identities, accredited for Lombardia and for one of its ATS, beside nothing else) and
 * the gateway serving a private copy of the built app, precompressed, and the bench extracts.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { precompressDir } from '../gateway/precompress.ts';
import { startGateway } from '../gateway/server.ts';
import { isValidFiscalCode } from '../idp/fiscal-code.ts';
import type { RegistryEntry } from '../idp/registry.ts';
import { startIdp } from '../idp/server.ts';
import { closeBoth, freePort } from '../scripts/stack.ts';

/** The bench's identities (valid codici fiscali: Milano 1980, Bergamo 1985). */
export const BENCH_REGIONE_CF = 'BRMLNZ80C12F205O';
export const BENCH_ATS_CF = 'GLLLNE85P47A794S';

export interface BenchStack {
	appURL: string;
	idpURL: string;
	close(): Promise<void>;
}

/** The registry: a Regione user for `regione` and an ATS coordinator for `ats`. */
export function benchRegistry(regione: string, ats: string): RegistryEntry[] {
	const entries: RegistryEntry[] = [
		{ fiscal_code: BENCH_REGIONE_CF, name: 'Lorenzo', family_name: 'Brambilla', role: 'regione', territories: [regione], status: 'confirmed' },
		{ fiscal_code: BENCH_ATS_CF, name: 'Elena', family_name: 'Galli', role: 'ats_coordinatore', territories: [ats], status: 'confirmed' }
	];
	for (const e of entries) if (!isValidFiscalCode(e.fiscal_code)) throw new Error(`bench registry: invalid codice fiscale ${e.fiscal_code}`);
	return entries;
}

/**
 * Precompresses the app copy (bench/data.ts `buildAppCopy`), writes the registry, starts the
 * provider and the gateway.
 */
export async function startBenchStack(opts: {
	appDir: string;
	extractsDir: string;
	varDir: string;
	regione: string;
	ats: string;
	/** False: serve the app dir's compressed siblings as they are (bench/ab-warm.ts prepares its own). */
	precompress?: boolean;
}): Promise<BenchStack> {
	const appDir = opts.appDir;
	if (opts.precompress !== false) await precompressDir(appDir);
	const registryFile = path.join(opts.varDir, 'registry.json');
	await mkdir(opts.varDir, { recursive: true });
	await writeFile(`${registryFile}.tmp`, JSON.stringify(benchRegistry(opts.regione, opts.ats), null, '\t'));
	await rename(`${registryFile}.tmp`, registryFile);

	const host = '127.0.0.1';
	const appPort = await freePort(host);
	const idp = await startIdp({ registryFile, keysDir: path.join(opts.varDir, 'keys'), appOrigins: [`http://${host}:${appPort}`], host });
	const config = { issuer: idp.issuer, client_id: idp.clientId, audience: idp.audience, scopes: 'openid profile cruscotto' };
	const gateway = await startGateway({ appDir, extractsDir: opts.extractsDir, port: appPort, host, config }).catch(async (error: unknown) => {
		await idp.close();
		throw error;
	});
	return {
		appURL: `http://${host}:${appPort}`,
		idpURL: idp.issuer,
		close: () => closeBoth(gateway, idp)
	};
}

