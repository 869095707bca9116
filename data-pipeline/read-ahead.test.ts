import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readAhead } from './read-ahead.ts';

let dir: string;
const paths: string[] = [];
beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'read-ahead-'));
	for (let i = 0; i < 40; i++) {
		const p = join(dir, `f${i}.bin`);
		await writeFile(p, Buffer.alloc(i === 0 ? 3_000_000 : 10_000, i));
		paths.push(p);
	}
});
afterAll(() => rm(dir, { recursive: true, force: true }));

test('reads every file whole (a file larger than its buffer too), and skips one that is missing', async () => {
	const ahead = readAhead([...paths, join(dir, 'missing.bin')]);
	await ahead.ended;
	const r = await ahead.stop();
	expect(r).toMatchObject({ done: true, files: 40, bytes: 3_000_000 + 39 * 10_000 });
});

test('files that come from the page cache (read just now): it stops after the first 64, the rest are not read ahead', async () => {
	const many = Array.from({ length: 1000 }, (_, i) => paths[i % paths.length]!);
	const ahead = readAhead(many);
	await ahead.ended;
	expect(await ahead.stop()).toMatchObject({ cached: true, done: false, files: 64 });
});

describe('as from a disk (no file counts as cached)', () => {
	beforeAll(() => {
		process.env.PIPELINE_READ_AHEAD_CACHED_US = '0';
	});
	afterAll(() => {
		delete process.env.PIPELINE_READ_AHEAD_CACHED_US;
	});

	test('reads them all', async () => {
		const many = Array.from({ length: 1000 }, (_, i) => paths[i % paths.length]!);
		const ahead = readAhead(many);
		await ahead.ended;
		expect(await ahead.stop()).toMatchObject({ cached: false, done: true, files: 1000 });
	});

	test('stop() ends the reading thread before the last file, and says so', async () => {
		const many = Array.from({ length: 200_000 }, (_, i) => paths[i % paths.length]!);
		const ahead = readAhead(many);
		await new Promise((resolve) => setTimeout(resolve, 500));
		const r = await ahead.stop();
		expect(r).toMatchObject({ cached: false, done: false });
		expect(r.files).toBeGreaterThan(64);
		expect(r.files).toBeLessThan(many.length);
	});
});
