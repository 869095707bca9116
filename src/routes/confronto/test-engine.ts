/**
 * For tests: DuckDB in Node over the shared test fixture, set up as Confronto reads it — the
 * `extract` table (after `edit`, a test's own changes to its cells or rows) and the territory
 * index built from it.
 */
import { createNodeEngine } from '#lib/data/node-engine.ts';
import { buildFixture } from '#lib/data/test-fixture.ts';
import { territoryIndexQuery } from './queries.ts';

export type TestEngine = Awaited<ReturnType<typeof createNodeEngine>>;

export async function confrontoTestEngine(edit?: (engine: TestEngine) => Promise<void>): Promise<TestEngine> {
	const engine = await createNodeEngine();
	await buildFixture(engine);
	await engine.query('CREATE TABLE extract AS SELECT * FROM fixture');
	await edit?.(engine);
	await engine.query(territoryIndexQuery().sql);
	return engine;
}
