import { afterAll, beforeAll, expect, test } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseRange, startStaticServer, type StaticServer } from './static-server.ts';

test('parseRange reads the three single-range forms and refuses what lies past the end', () => {
	expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
	expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
	expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
	expect(parseRange('bytes=95-200', 100)).toEqual({ start: 95, end: 99 });
	expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
	expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
	expect(parseRange(undefined, 100)).toBeNull();
});

let server: StaticServer;
beforeAll(async () => {
	const root = await mkdtemp(path.join(tmpdir(), 'bench-static-'));
	await writeFile(path.join(root, 'data.bin'), Buffer.from('0123456789'));
	server = await startStaticServer(root);
});
afterAll(() => server.close());

test('the naive server answers Range requests with 206 and the exact slice, like a CDN', async () => {
	const res = await fetch(`${server.url}/data.bin`, { headers: { range: 'bytes=2-4' } });
	expect(res.status).toBe(206);
	expect(res.headers.get('content-range')).toBe('bytes 2-4/10');
	expect(await res.text()).toBe('234');
	const head = await fetch(`${server.url}/data.bin`, { method: 'HEAD' });
	expect(head.headers.get('content-length')).toBe('10');
	expect((await fetch(`${server.url}/../etc/passwd`)).status).toBeGreaterThanOrEqual(400);
});
