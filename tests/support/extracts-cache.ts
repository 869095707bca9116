/**
 * Demo extracts for the e2e stack, built once per pipeline version and reused across runs:
 * building them takes minutes on a loaded 2-core machine. The key hashes the pipeline and
 * contracts sources, the lockfile, the boundaries file and the current month (the demo's
 * last month), so any change that could alter the extracts rebuilds them.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildDemoExtracts } from '../../scripts/demo-data.ts';

function sourcesHash(boundaries: string | undefined): string {
	const hash = createHash('sha256');
	for (const dir of ['data-pipeline', 'contracts']) {
		for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts')).sort()) {
			hash.update(name).update(readFileSync(path.join(dir, name)));
		}
	}
	hash.update(readFileSync('package-lock.json'));
	if (boundaries) hash.update(`${boundaries}:${statSync(boundaries).size}:${statSync(boundaries).mtimeMs}`);
	hash.update(new Date().toISOString().slice(0, 7));
	return hash.digest('hex').slice(0, 16);
}

/** The cached demo extracts directory (built now when missing); null when the pipeline has no demo builder. */
export async function cachedDemoExtracts(boundaries: string | undefined): Promise<string | null> {
	const root = path.join(tmpdir(), 'cruscotto-e2e-extracts');
	const dir = path.join(root, sourcesHash(boundaries));
	if (existsSync(path.join(dir, 'manifest.json'))) return dir;
	const staging = `${dir}.${process.pid}.tmp`;
	await mkdir(root, { recursive: true });
	try {
		if (!(await buildDemoExtracts(staging, boundaries))) return null;
	} catch (error) {
		await rm(staging, { recursive: true, force: true });
		throw error;
	}
	try {
		await rename(staging, dir);
	} catch {
		// Another run finished first: use its copy.
		await rm(staging, { recursive: true, force: true });
	}
	return dir;
}
