/**
 * The end-to-end stack: demo extracts built once into a temp dir, the demo registry, the
 * identity provider and the gateway on free loopback ports. Reusable by any e2e suite.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DemoIdentity } from '../../idp/demo-identities.ts';
import { demoTerritories } from '../../scripts/demo-data.ts';
import { startStack, type Stack } from '../../scripts/stack.ts';
import { cachedDemoExtracts } from './extracts-cache.ts';

/** Real boundaries for the demo build (test-only data, outside the repo). */
export const BOUNDARIES = path.resolve('../shared/data/geo/italy_comuni_province_regioni.topo.json');

export interface TestStack extends Stack {
	extractsDir: string;
	/** True when the pipeline built demo extracts (false until data-pipeline/demo.ts exists). */
	hasExtracts: boolean;
}

/** Copies the (cached) demo extracts and starts the provider and the gateway; `close()` removes the temp dir. */
export async function startTestStack(opts: { appDir?: string; accessTokenTTL?: number } = {}): Promise<TestStack> {
	const dir = await mkdtemp(path.join(tmpdir(), 'cruscotto-e2e-'));
	const extractsDir = path.join(dir, 'extracts');
	// A private copy of the cached build: tests may publish or damage their extracts freely.
	const cached = await cachedDemoExtracts(existsSync(BOUNDARIES) ? BOUNDARIES : undefined);
	if (cached) await cp(cached, extractsDir, { recursive: true });
	else await mkdir(extractsDir);
	const hasExtracts = cached !== null;
	const stack = await startStack({
		appDir: opts.appDir ?? 'build',
		extractsDir,
		varDir: path.join(dir, 'var'),
		territories: await demoTerritories(extractsDir),
		accessTokenTTL: opts.accessTokenTTL
	});
	return {
		...stack,
		extractsDir,
		hasExtracts,
		close: async () => {
			await stack.close();
			await rm(dir, { recursive: true, force: true });
		}
	};
}

/** The confirmed demo identity of a role, or the pending / revoked one. */
export function identityOf(identities: readonly DemoIdentity[], which: DemoIdentity['role'] | 'pending' | 'revoked'): DemoIdentity {
	const found = identities.find((i) => (which === 'pending' || which === 'revoked' ? i.status === which : i.role === which && i.status === 'confirmed'));
	if (!found) throw new Error(`no demo identity ${which}`);
	return found;
}
