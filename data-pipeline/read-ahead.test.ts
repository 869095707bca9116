import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
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

test('stop() ends the reading thread before the last file, and says so', async () => {
	const many = Array.from({ length: 200_000 }, (_, i) => paths[i % paths.length]!);
	const ahead = readAhead(many);
	await new Promise((resolve) => setTimeout(resolve, 50));
	const r = await ahead.stop();
	expect(r.done).toBe(false);
	expect(r.files).toBeLessThan(many.length);
});
