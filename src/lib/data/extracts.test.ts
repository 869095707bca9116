import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ExtractError, ExtractStore, type ExtractDeps } from './extracts.ts';
import { createNodeEngine } from './node-engine.ts';
import { buildFixture, type Fixture } from './test-fixture.ts';
import type { Engine } from './engine.ts';

let fixture: Fixture;
let builder: Engine & { close(): void };
beforeAll(async () => {
	builder = await createNodeEngine();
	fixture = await buildFixture(builder);
});
const engines: { close(): void }[] = [];
afterAll(() => [builder, ...engines].forEach((e) => e.close()));

/** A store over a fresh Node engine, as a user accredited for `territories`. */
async function storeFor(territories: string[], extra: Partial<ExtractDeps> = {}) {
	const engine = await createNodeEngine();
	engines.push(engine);
	fixture.requests.length = 0;
	const store = new ExtractStore({
		fetch: fixture.fetch, getToken: () => 'tok', territories: () => territories,
		engine: async () => engine, caches: null, ...extra
	});
	return { store, engine };
}

describe('ExtractStore', () => {
	test('an ATS user downloads only the ATS file, with the bearer token, and sees each territory once', async () => {
		const { store, engine } = await storeFor(['a:X05001']);
		await store.ensureScope('a:X05001');
		await store.ensureScope('c:028001'); // inside the ATS file already
		expect(fixture.requests.map((r) => r.path)).toEqual(['manifest.json', 'v1/ats/X05001.parquet']);
		expect(fixture.requests.every((r) => r.authorization === 'Bearer tok')).toBe(true);
		const rows = await engine.query(`SELECT territory_id, count(*) AS n FROM extract WHERE month = DATE '2024-01-01' GROUP BY ALL ORDER BY 1`);
		expect(rows.map((r) => r.territory_id)).toEqual(['a:X05001', 'c:028001', 'c:028002', 'c:028003', 'it', 'r:05']);
		expect(rows.every((r) => r.n === 2)).toBe(true); // ADI and SFL, not duplicated
	});

	test('benchmark rows already loaded are not inserted twice when a second file brings them', async () => {
		const { store, engine } = await storeFor(['it']);
		await store.ensureScope('it');
		await store.ensureScope('r:05');
		const [{ n }] = await engine.query(`SELECT count(*) AS n FROM extract WHERE territory_id = 'r:05'`);
		const [{ m }] = await builder.query(`SELECT count(*) AS m FROM fixture WHERE territory_id = 'r:05'`);
		expect(n).toBe(m);
		await store.ensureScope('a:X05001'); // inside the loaded Regione file: nothing to download
		expect(fixture.requests.filter((r) => r.path.endsWith('.parquet'))).toHaveLength(2);
	});

	test('a Comune user cannot load another Comune, and the gateway is not even asked', async () => {
		const { store } = await storeFor(['c:028001']);
		await expect(store.ensureScope('c:028003')).rejects.toMatchObject({ kind: 'forbidden' });
		expect(fixture.requests.map((r) => r.path)).toEqual(['manifest.json']);
	});

	test('a file whose bytes do not match the manifest is refused', async () => {
		const tampered = (async (input: RequestInfo | URL, init?: RequestInit) => {
			const res = await fixture.fetch(input, init);
			if (!String(input).endsWith('.parquet')) return res;
			const bytes = new Uint8Array(await res.arrayBuffer());
			bytes[100] ^= 1;
			return new Response(bytes);
		}) as typeof fetch;
		const { store } = await storeFor(['a:X05001'], { fetch: tampered });
		const err = await store.ensureScope('a:X05001').catch((e: unknown) => e);
		expect(err).toBeInstanceOf(ExtractError);
		expect((err as ExtractError).kind).toBe('integrity');
	});

	test('the cache by hash serves a second session without downloading the file again', async () => {
		const entries = new Map<string, Response>();
		const cache = {
			match: async (k: string) => entries.get(k)?.clone(),
			put: async (k: string, r: Response) => void entries.set(k, r),
			delete: async (k: string) => entries.delete(k)
		};
		const caches = { open: async () => cache } as unknown as CacheStorage;
		await (await storeFor(['a:X05001'], { caches })).store.ensureScope('a:X05001');
		const { store, engine } = await storeFor(['a:X05001'], { caches });
		await store.ensureScope('a:X05001');
		expect(fixture.requests.map((r) => r.path)).toEqual(['manifest.json']);
		expect((await engine.query('SELECT count(*) AS n FROM extract'))[0].n).toBeGreaterThan(0);
	});

	test('the summary of a scope is the JSON the pipeline wrote beside the extract', async () => {
		const { store } = await storeFor(['c:028001']);
		const summary = await store.summary('c:028001');
		expect(summary?.territory.id).toBe('c:028001');
		expect(summary?.benchmarks.map((b) => b.id)).toEqual(['r:05', 'it']);
	});
});
