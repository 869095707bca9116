import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ExtractStore } from './extracts.ts';
import { firstViewPaths, publishedData, smallerSource } from './first-view.ts';
import { createNodeEngine } from './node-engine.ts';
import { buildFixture, type Fixture } from './test-fixture.ts';
import type { Engine } from './engine.ts';

let fixture: Fixture;
let builder: Engine & { close(): void };
beforeAll(async () => {
	builder = await createNodeEngine();
	fixture = await buildFixture(builder);
});
afterAll(() => builder.close());

/** A store whose fetch answers the manifest only when `release` is called (a slow manifest). */
function storeWithSlowManifest(fetchFn: typeof fetch = fixture.fetch) {
	let release!: () => void;
	const released = new Promise<void>((r) => (release = r));
	const order: string[] = [];
	const store = new ExtractStore({
		fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
			const path = String(input).replace(/^.*\/extracts\//, '');
			order.push(`sent ${path}`);
			if (path === 'manifest.json') await released;
			const res = await fetchFn(input, init);
			order.push(`answered ${path}`);
			return res;
		}) as typeof fetch,
		getToken: () => 'tok',
		territories: () => ['r:05'],
		engine: () => Promise.reject(new Error('no engine in this test')),
		caches: null
	});
	return { store, order, release };
}

describe('first view beside the manifest', () => {
	test('paths from the published version: own summary and benchmarks, Italia alone, nothing guessed for an ATS benchmark', () => {
		const v2 = { version: 'v1', schema_version: 2 };
		expect(firstViewPaths(v2, 'r:05')).toEqual(['v1/summary/regione/05.json', 'v1/summary/italia.json']);
		expect(firstViewPaths(v2, 'it')).toEqual(['v1/summary/italia.json']);
		expect(firstViewPaths(v2, 'a:X05001')).toEqual(['v1/summary/ats/X05001.json', 'v1/summary/italia.json']);
		const v3 = { version: 'v1', schema_version: 3 };
		expect(firstViewPaths(v3, 'r:05')).toEqual(['v1/summary/regione/05.json', 'v1/summary/benchmarks/05.json']);
		expect(firstViewPaths(v3, 'c:028001')).toEqual(['v1/summary/comune/028001.json']);
		expect(firstViewPaths(v3, 'p:028')).toEqual([]);
	});

	test('only a well-formed version from config.json is put in a path', () => {
		expect(publishedData({ issuer: 'x', data: { version: '2026-11-26T124510Z', schema_version: 2 } })).toEqual({ version: '2026-11-26T124510Z', schema_version: 2 });
		expect(publishedData({ issuer: 'x' })).toBeNull();
		expect(publishedData({ data: { version: '../secret', schema_version: 2 } })).toBeNull();
		expect(publishedData({ data: { version: 'v1/x', schema_version: 2 } })).toBeNull();
		expect(publishedData(null)).toBeNull();
	});

	test('the summaries travel while the manifest is awaited, and are used once it lists them, without a second download', async () => {
		const { store, order, release } = storeWithSlowManifest();
		for (const p of firstViewPaths({ version: 'v1', schema_version: 1 }, 'r:05')) store.early(p);
		const summary = store.summary('r:05');
		await new Promise((r) => setTimeout(r, 20));
		expect(order).toContain('answered v1/summary/regione/05.json');
		expect(order).not.toContain('answered manifest.json');
		release();
		expect((await summary)?.territory.id).toBe('r:05');
		expect(order.filter((o) => o === 'sent v1/summary/regione/05.json')).toHaveLength(1);
		expect(order.filter((o) => o === 'sent v1/summary/italia.json')).toHaveLength(1);
	});

	test('early bytes that do not match the manifest are refused like a tampered download', async () => {
		const tampered = (async (input: RequestInfo | URL, init?: RequestInit) => {
			const res = await fixture.fetch(input, init);
			if (!String(input).endsWith('summary/regione/05.json')) return res;
			const body = (await res.text()).replace(/"residenti":\d+/, '"residenti":1');
			return new Response(body, { status: 200 });
		}) as typeof fetch;
		const { store, release } = storeWithSlowManifest(tampered);
		store.early('v1/summary/regione/05.json');
		release();
		await expect(store.summary('r:05')).rejects.toMatchObject({ kind: 'integrity' });
	});

	test('a wrong guess (a path the version does not have) costs one refused request, then the manifest path is used', async () => {
		const { store, order, release } = storeWithSlowManifest();
		store.early('v0/summary/regione/05.json');
		release();
		expect((await store.summary('r:05'))?.territory.id).toBe('r:05');
		expect(order).toContain('sent v1/summary/regione/05.json');
	});

	test("a Regione's first DuckDB answer reads italia.parquet when it is the smaller file, never for an ATS or a Comune", () => {
		const m = fixture.manifest;
		const italia = m.files.find((f) => f.path === 'v1/italia.parquet')!;
		const regione = m.files.find((f) => f.path === 'v1/regione/05.parquet')!;
		expect(italia.rows).toBeLessThan(regione.rows);
		expect(smallerSource(m, 'r:05', ['r:05', 'it'])).toBe(italia);
		// italia.parquet holds Italia, the Regioni and the Province only
		expect(smallerSource(m, 'a:X05001', ['a:X05001', 'r:05', 'it'])).toBeNull();
		expect(smallerSource(m, 'c:028001', ['c:028001', 'r:05', 'it'])).toBeNull();
		// Italia's own file is italia.parquet: nothing smaller
		expect(smallerSource(m, 'it', ['it'])).toBeNull();
		// a Regione whose own file is the smaller one keeps it
		const small = { ...m, files: m.files.map((f) => (f === regione ? { ...f, rows: italia.rows - 1 } : f)) };
		expect(smallerSource(small, 'r:05', ['r:05', 'it'])).toBeNull();
	});
});
