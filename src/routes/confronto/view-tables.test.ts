import { afterAll, beforeAll, expect, test } from 'vitest';
import { createNodeEngine } from '#lib/data/node-engine.ts';
import { buildFixture } from '#lib/data/test-fixture.ts';
import { useEngine, type Engine } from '#lib/data/query.ts';
import { ensureIndexFor, extractRows } from './view-tables.ts';

let engine: Awaited<ReturnType<typeof createNodeEngine>>;
/** The SQL the view's tables asked the engine, in order. */
const asked: string[] = [];
const counts = () => asked.filter((s) => /count\(\*\)/.test(s)).length;

beforeAll(async () => {
	engine = await createNodeEngine();
	await buildFixture(engine);
	await engine.query('CREATE TABLE extract AS SELECT * FROM fixture');
	// The real engine, with every statement recorded.
	useEngine(
		new Proxy(engine as unknown as Engine, {
			get(target, key, receiver) {
				const v = Reflect.get(target, key, receiver);
				if (typeof v !== 'function') return v;
				return (...args: unknown[]) => {
					if (typeof args[0] === 'string') asked.push(args[0]);
					return v.apply(target, args);
				};
			}
		})
	);
});
afterAll(() => engine?.close());

test('the extract is counted only for a territory outside the Regione and ATS files already indexed, and for Italia', async () => {
	await ensureIndexFor({ scope: 'r:05', within: ['it'] });
	expect(counts()).toBe(1);
	const rows = extractRows();
	expect(rows).toBeGreaterThan(0);
	// An ATS of the Regione, the Regione again: their rows were complete at the last build.
	await ensureIndexFor({ scope: 'a:X05001', within: ['r:05'] });
	await ensureIndexFor({ scope: 'r:05', within: ['it'] });
	expect(counts()).toBe(1);
	// Italia's table grows inside it (a national user entering a Regione): always counted.
	await ensureIndexFor({ scope: 'it', within: [] });
	expect(counts()).toBe(2);
	// Another Regione's rows arrive: it is counted, and the index is rebuilt on the new count.
	await engine.query(`INSERT INTO extract SELECT * REPLACE ('c:999001' AS territory_id) FROM extract WHERE territory_id = 'c:028001'`);
	await ensureIndexFor({ scope: 'r:09', within: ['it'] });
	expect(counts()).toBe(3);
	expect(extractRows()).toBeGreaterThan(rows!);
	expect(asked.filter((s) => /confronto_territori/.test(s)).length).toBeGreaterThanOrEqual(2);
});
