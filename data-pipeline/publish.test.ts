import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { build } from './build.ts';
import { silentLogger } from './log.ts';
import { verifyPublished } from './verify.ts';
import { household, runCli, tempDir, tinyRegistry, writeMicrodataCsv, writeTinyRegistry, type HouseholdRow } from './test-support.ts';

const COMUNI = ['001001', '001004', '002001', '007001', '007003'];

function rows(months: string[]): HouseholdRow[] {
	let id = 1;
	return months.flatMap((month) => COMUNI.flatMap((comune, i) => Array.from({ length: 4 + i * 2 }, () => household(month, 'ADI', comune, id++))));
}

describe('publication is atomic', () => {
	const root = tempDir();
	const out = join(root, 'extracts');
	const md = join(root, 'md');
	let registryFile = '';
	let manifestBefore = '';

	beforeAll(async () => {
		registryFile = writeTinyRegistry(root);
		mkdirSync(md);
		writeMicrodataCsv(join(md, '2024-01.csv'), rows(['2024-01']));
		await build({ microdata: md, out, registry: tinyRegistry(), lastMonth: '2024-06', log: silentLogger });
		manifestBefore = readFileSync(join(out, 'manifest.json'), 'utf8');
		writeMicrodataCsv(join(md, '2024-02.csv'), rows(['2024-02']));
	}, 60_000);

	// After [verify], the build is held before it publishes (PIPELINE_HOLD_BEFORE_PUBLISH): the kill
	// lands there for sure, the last moment before the manifest is replaced.
	test.each(['[validate]', '[write]', '[hold]'])('a build killed with SIGKILL after %s leaves the previous version served and verified', async (stage) => {
		const r = await runCli(['build', '--microdata', md, '--out', out, '--registry', registryFile, '--last-month', '2024-06'], {
			onStderr: (chunk, kill) => chunk.includes(stage) && kill(),
			env: { PIPELINE_HOLD_BEFORE_PUBLISH: '1' }
		});
		if (stage === '[hold]') expect(r.stderr).toContain('[verify]');
		expect(r.signal).toBe('SIGKILL');
		expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(manifestBefore);
		const verified = await verifyPublished(out);
		expect(verified.version).toBe(JSON.parse(manifestBefore).version);
	});

	test('the next run cleans what the killed runs left and publishes the new month; --keep prunes', async () => {
		const r = await runCli(['build', '--microdata', md, '--out', out, '--registry', registryFile, '--last-month', '2024-06', '--keep', '1']);
		expect(r.code).toBe(0);
		expect(r.stderr).toContain('new months 2024-02');
		const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
		expect(manifest.period).toEqual({ from: '2024-01', to: '2024-02' });
		expect(readdirSync(out).sort()).toEqual(['.cache', manifest.version, 'manifest.json']);
		await expect(verifyPublished(out)).resolves.toMatchObject({ version: manifest.version });
	});
});
