import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ExtractError, ExtractStore, type ExtractDeps } from './extracts.ts';
import { createNodeEngine } from './node-engine.ts';
import { italianError } from './errors.ts';
import { buildFixture, type Fixture } from './test-fixture.ts';
import type { Engine } from './engine.ts';
import { reaches, type Manifest } from '#contracts';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

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


/** A Cache API kept in memory, shared by the sessions given it (a returning user's browser). */
function memoryCaches(): CacheStorage {
	const entries = new Map<string, Response>();
	const cache = {
		match: async (k: string) => entries.get(k)?.clone(),
		put: async (k: string, r: Response) => void entries.set(k, r),
		delete: async (k: string) => entries.delete(k),
		keys: async () => [...entries.keys()].map((k) => new Request(new URL(k, 'http://127.0.0.1')))
	};
	return { open: async () => cache } as unknown as CacheStorage;
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
		const caches = memoryCaches();
		await (await storeFor(['a:X05001'], { caches })).store.ensureScope('a:X05001');
		const { store, engine } = await storeFor(['a:X05001'], { caches });
		await store.ensureScope('a:X05001');
		expect(fixture.requests.map((r) => r.path)).toEqual(['manifest.json']);
		expect((await engine.query('SELECT count(*) AS n FROM extract'))[0].n).toBeGreaterThan(0);
	});

	test('a file is held (no download needed) once the Cache API has it or the engine has it registered', async () => {
		const caches = memoryCaches();
		const file = (m: Manifest, p: string) => m.files.find((f) => f.path === p)!;
		const first = (await storeFor(['r:05'], { caches })).store;
		const m = await first.manifest();
		expect(await first.held(file(m, 'v1/italia.parquet'))).toBe(false);
		await first.register(file(m, 'v1/italia.parquet'));
		expect(await first.held(file(m, 'v1/italia.parquet')), 'registered').toBe(true);
		// A later tab lists the cache when it opens it: the file is held there, the one never fetched is not.
		const later = (await storeFor(['r:05'], { caches })).store;
		expect(await later.held(file(m, 'v1/italia.parquet')), 'in the Cache API').toBe(true);
		expect(await later.held(file(m, 'v1/regione/05.parquet'))).toBe(false);
	});

	/** The fixture after a publish: the manifest lists `v2/…` paths; old paths get 403 (as from the gateway). */
	function republished(opts: { newFilesReadable: boolean }) {
		let published = false;
		const v2 = () => ({ ...fixture.manifest, version: 'v2', files: fixture.manifest.files.map((f) => ({ ...f, path: f.path.replace(/^v1\//, 'v2/') })) });
		const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
			const p = String(input).replace(/^.*\/extracts\//, '');
			fixture.requests.push({ path: p, authorization: new Headers(init?.headers).get('authorization') });
			if (!published) return fixture.fetch(input, { ...init, headers: {} }).finally(() => fixture.requests.pop());
			if (p === 'manifest.json') return new Response(JSON.stringify(v2()));
			const bytes = p.startsWith('v2/') && opts.newFilesReadable ? fixture.files.get(p.replace(/^v2\//, 'v1/')) : undefined;
			return bytes ? new Response(bytes as Uint8Array<ArrayBuffer>) : new Response('no', { status: p.startsWith('v1/') ? 403 : 404 });
		}) as typeof fetch;
		return { fetch: fetchFn, publish: () => (published = true) };
	}

	test('after a publish the old path is refused: the manifest is fetched again once and the new file used', async () => {
		const pub = republished({ newFilesReadable: true });
		const { store, engine } = await storeFor(['it'], { fetch: pub.fetch });
		await store.ensureScope('it');
		const versions: string[] = [];
		store.onManifest((m) => versions.push(m.version));
		pub.publish();
		await Promise.all([store.ensureScope('r:05'), store.summary('r:05')]);
		expect(versions).toEqual(['v2']); // the layout shows the notice and the new version
		const paths = fixture.requests.map((r) => r.path);
		expect(paths.filter((p) => p === 'manifest.json')).toHaveLength(2); // the first, and one refetch for both failures
		expect(paths).toContain('v2/regione/05.parquet');
		expect((await engine.query(`SELECT count(*) AS n FROM extract WHERE territory_id = 'a:X05001'`))[0].n).toBeGreaterThan(0);
		await store.ensureScope('it'); // loaded before the publish: not fetched again under its new path
		expect(fixture.requests.filter((r) => r.path === 'v2/italia.parquet')).toHaveLength(0);
	});

	test('when the new version cannot be read either, the error says the data were updated', async () => {
		const pub = republished({ newFilesReadable: false });
		const { store } = await storeFor(['it'], { fetch: pub.fetch });
		await store.manifest();
		pub.publish();
		await expect(store.ensureScope('r:05')).rejects.toMatchObject({ kind: 'updated' });
		expect(italianError(await store.ensureScope('r:05').catch((e: unknown) => e))).toMatch(/^I dati sono stati aggiornati: /);
	});

	test('a refusal with no publish in between stays a refusal (no retry loop)', async () => {
		const refusing = (async (input: RequestInfo | URL, init?: RequestInit) =>
			String(input).endsWith('.parquet') ? new Response('no', { status: 403 }) : fixture.fetch(input, init)) as typeof fetch;
		const { store } = await storeFor(['a:X05001'], { fetch: refusing });
		await expect(store.ensureScope('a:X05001')).rejects.toMatchObject({ kind: 'forbidden' });
		expect(fixture.requests.filter((r) => r.path === 'manifest.json')).toHaveLength(2);
	});

	test('the summary of a scope is the JSON the pipeline wrote beside the extract', async () => {
		const { store } = await storeFor(['c:028001']);
		const summary = await store.summary('c:028001');
		expect(summary?.territory.id).toBe('c:028001');
		expect(summary?.benchmarks.map((b) => b.id)).toEqual(['r:05', 'it']);
		// Read again (the header's names, beside the home view): the same object, not parsed again.
		expect(await store.summary('c:028001')).toBe(summary);
	});

	test('the first view\'s summaries are requested before anything reading the manifest runs, and only once', async () => {
		const { store } = await storeFor(['a:X05001'], { firstView: () => ['a:X05001'] });
		const seen: string[][] = [];
		store.onManifest(() => seen.push(fixture.requests.map((r) => r.path)));
		await store.manifest();
		expect(seen[0].sort()).toEqual(['manifest.json', 'v1/summary/ats/X05001.json', 'v1/summary/italia.json']);
		expect((await store.summary('a:X05001'))?.territory.id).toBe('a:X05001');
		expect(fixture.requests).toHaveLength(3);
	});

	/** The fixture with a benchmark file for r:05 (a publication of manifest schema 3); `refuse` answers 404. */
	function withBenchmarks(refuse = 'v1/summary/italia.json'): typeof fetch {
		const italia = fixture.manifest.files.find((f) => f.path === 'v1/summary/italia.json')!;
		// the fixture's only Regione is r:05: its benchmark file holds what italia.json holds
		const bench = { ...italia, path: 'v1/summary/benchmarks/05.json', rows: 2 };
		const manifest = { ...fixture.manifest, schema_version: 3, files: [...fixture.manifest.files, bench] };
		return (async (input: RequestInfo | URL, init?: RequestInit) => {
			const p = String(input).replace(/^.*\/extracts\//, '');
			if (p === 'manifest.json' || p === bench.path || p === refuse) fixture.requests.push({ path: p, authorization: new Headers(init?.headers).get('authorization') });
			if (p === 'manifest.json') return new Response(JSON.stringify(manifest));
			if (p === refuse) return new Response('no', { status: 404 });
			if (p === bench.path) return new Response(fixture.files.get(italia.path)! as Uint8Array<ArrayBuffer>);
			return fixture.fetch(input, init);
		}) as typeof fetch;
	}

	test.each([
		['a:X05001', ['manifest.json', 'v1/summary/ats/X05001.json', 'v1/summary/benchmarks/05.json'], ['r:05', 'it']],
		['c:028001', ['manifest.json', 'v1/summary/benchmarks/05.json', 'v1/summary/comune/028001.json'], ['r:05', 'it']],
		['r:05', ['manifest.json', 'v1/summary/benchmarks/05.json', 'v1/summary/regione/05.json'], ['it']]
	])('%s: the first view takes its benchmarks from its Regione\'s benchmark file, not italia.json', async (scope, requested, benchmarks) => {
		const { store } = await storeFor([scope], { fetch: withBenchmarks(), firstView: () => [scope] });
		await store.manifest();
		expect(fixture.requests.map((r) => r.path).sort()).toEqual(requested);
		const summary = await store.summary(scope);
		expect(summary?.territory.id).toBe(scope);
		expect(summary?.benchmarks.map((b) => b.id)).toEqual(benchmarks);
		expect(summary?.benchmarks.every((b) => b.series.length > 0)).toBe(true);
		expect(fixture.requests).toHaveLength(3); // nothing fetched twice, italia.json never
	});

	test('Italia\'s first view is summary/italia.json alone, even beside benchmark files', async () => {
		const { store } = await storeFor(['it'], { fetch: withBenchmarks('v1/summary/benchmarks/05.json'), firstView: () => ['it'] });
		const summary = await store.summary('it');
		expect(summary?.territory.id).toBe('it');
		expect(summary?.benchmarks).toEqual([]);
		expect(fixture.requests.map((r) => r.path).sort()).toEqual(['manifest.json', 'v1/summary/italia.json']);
	});

	test('a file registered for a first answer is readable by name, kept out of the table, and registered once', async () => {
		const { engine } = await storeFor(['r:05']);
		const registered: string[] = [];
		const { store } = await storeFor(['r:05'], {
			engine: async () => ({ ...engine, registerFile: (name: string, bytes: Uint8Array) => (registered.push(name), engine.registerFile(name, bytes)) })
		});
		const italia = fixture.manifest.files.find((f) => f.path === 'v1/italia.parquet')!;
		const name = await store.register(italia);
		expect(name).toBe(`${italia.sha256}.parquet`);
		const rows = await engine.query(`SELECT DISTINCT territory_id FROM read_parquet('${name}') WHERE territory_id IN (?, ?) ORDER BY 1`, ['r:05', 'it']);
		expect(rows.map((r) => r.territory_id)).toEqual(['it', 'r:05']);
		await expect(engine.query('SELECT count(*) FROM extract')).rejects.toThrow();
		expect(await store.register(italia)).toBe(name);
		expect(registered).toEqual([name]);
	});

	test("a table load reads its file at once but waits for held work before it uses the engine", async () => {
		const { engine } = await storeFor(['r:05']);
		const used: string[] = [];
		const { store } = await storeFor(['r:05'], {
			engine: async () => ({ ...engine, registerFile: (name: string, bytes: Uint8Array) => (used.push(name), engine.registerFile(name, bytes)) })
		});
		let release!: () => void;
		store.hold(new Promise<void>((r) => (release = r)));
		const loaded = store.ensureScope('r:05');
		await new Promise((r) => setTimeout(r, 30));
		expect(fixture.requests.map((r) => r.path)).toContain('v1/regione/05.parquet');
		expect(used).toEqual([]);
		release();
		await loaded;
		expect(used).toHaveLength(1);
		const [{ n }] = await engine.query(`SELECT count(*) AS n FROM extract WHERE territory_id = 'r:05'`);
		expect(n).toBeGreaterThan(0);
	});
});

/**
 * The fixture published like a Regione without its ATS and Comune files (the demo outside
 * Campania): italia.parquet (with the Provincia of Padova, p:028 in r:05) and the Regione file;
 * the manifest filtered for the token as the gateway does.
 */
async function withoutDetail(territories: string[]) {
	const dir = await mkdtemp(path.join(tmpdir(), 'cruscotto-nodetail-'));
	const file = path.join(dir, 'italia.parquet');
	await builder.query(
		`COPY (SELECT * FROM fixture WHERE level IN ('italia', 'regione')
			UNION ALL SELECT * REPLACE ('p:028' AS territory_id, 'provincia' AS level, 'Padova' AS name, 'r:05' AS parent_id) FROM fixture WHERE territory_id = 'r:05'
		) TO '${file}' (FORMAT PARQUET)`
	);
	const italia = new Uint8Array(await readFile(file));
	await rm(dir, { recursive: true, force: true });
	const files = new Map(fixture.files);
	files.set('v1/italia.parquet', italia);
	const entries = fixture.manifest.files
		.filter((f) => f.scope === 'it' || f.scope === 'r:05')
		.map((f) => (f.path === 'v1/italia.parquet' ? { ...f, bytes: italia.length, sha256: createHash('sha256').update(italia).digest('hex') } : f));
	const manifest: Manifest = { ...fixture.manifest, files: entries.filter((f) => reaches(territories, f)) };
	const requests: string[] = [];
	const fetchFn = (async (input: RequestInfo | URL) => {
		const p = String(input).replace(/^.*\/extracts\//, '');
		requests.push(p);
		if (p === 'manifest.json') return new Response(JSON.stringify(manifest));
		const bytes = manifest.files.some((f) => f.path === p) ? files.get(p) : undefined;
		return bytes ? new Response(bytes as Uint8Array<ArrayBuffer>) : new Response('no', { status: 403 });
	}) as typeof fetch;
	const { store, engine } = await storeFor(territories, { fetch: fetchFn });
	return { store, engine, requests };
}

describe('a Comune or ATS without a file of its own', () => {
	test('a national user gets the Comune\'s rows from its Regione\'s file (found through its Provincia in italia.parquet)', async () => {
		const { store, engine, requests } = await withoutDetail(['it']);
		expect(await store.fileFor('c:028002')).toBeNull();
		expect((await store.containingFile('c:028002'))?.scope).toBe('r:05');
		await store.ensureScope('c:028002');
		expect(requests).toEqual(['manifest.json', 'v1/italia.parquet', 'v1/regione/05.parquet']);
		const [{ n }] = await engine.query(`SELECT count(*) AS n FROM extract WHERE territory_id = 'c:028002'`);
		const [{ m }] = await builder.query(`SELECT count(*) AS m FROM fixture WHERE territory_id = 'c:028002'`);
		expect(n).toBe(m);
		await store.ensureScope('a:X05001'); // already in the loaded Regione file
		expect(requests.filter((r) => r.endsWith('.parquet'))).toHaveLength(2);
	});

	test('italia.parquet looked up for the Comune\'s Regione while the table loads it too is fetched once', async () => {
		const { store, requests } = await withoutDetail(['it']);
		await Promise.all([store.ensureScope('c:028002'), store.ensureScope('it')]);
		expect(requests.filter((r) => r === 'v1/italia.parquet')).toHaveLength(1);
	});

	test('an ATS: the Regione from its code; the Regione\'s own user may read it too', async () => {
		const { store, engine } = await withoutDetail(['r:05']);
		expect((await store.containingFile('a:X05001'))?.scope).toBe('r:05');
		await store.ensureScope('a:X05001');
		expect((await engine.query(`SELECT count(*) AS n FROM extract WHERE territory_id = 'a:X05001'`))[0].n).toBeGreaterThan(0);
	});

	test('another Regione\'s user is refused (the manifest the gateway sends has no file holding it), a national user told there are no data when the Regione file lacks the Comune', async () => {
		const lombardia = await withoutDetail(['r:03']);
		const err = await lombardia.store.ensureScope('c:028002').catch((e: unknown) => e);
		expect(err).toMatchObject({ kind: 'forbidden' });
		expect(italianError(err)).toMatch(/^Il tuo profilo non è abilitato/);
		expect(lombardia.requests.filter((r) => r.includes('regione/'))).toEqual([]);
		const national = await withoutDetail(['it']);
		await expect(national.store.ensureScope('c:028999')).rejects.toMatchObject({ kind: 'missing' });
		await expect(national.store.ensureScope('c:099001')).rejects.toMatchObject({ kind: 'missing' }); // no such Provincia
	});
});
