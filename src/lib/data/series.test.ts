import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SummaryFile, SummaryFileTerritory } from '#contracts';
import { ExtractStore } from './extracts.ts';
import { createNodeEngine } from './node-engine.ts';
import { cellText } from '#lib/export/table.ts';
import { assembleSummary, countCell, figuresAt, fromRuns } from './series.ts';
import { buildFixture, type Fixture } from './test-fixture.ts';

let engine: Awaited<ReturnType<typeof createNodeEngine>>;
let fixture: Fixture;

beforeAll(async () => {
	engine = await createNodeEngine();
	fixture = await buildFixture(engine);
});
afterAll(() => engine?.close());

const file = (path: string) => JSON.parse(new TextDecoder().decode(fixture.files.get(path))) as SummaryFile;
const store = (territories: string[]) =>
	new ExtractStore({ fetch: fixture.fetch, getToken: () => 't', territories: () => territories, engine: async () => engine, caches: null });

describe('first-view summary assembled from the scope file and summary/italia.json', () => {
	test('a Comune user gets its Comune, then Veneto and Italia exactly as in the italia summary, fetching the two files together', async () => {
		const s = (await store(['c:028001']).summary('c:028001'))!;
		const italia = file('v1/summary/italia.json');
		expect(s.territory).toEqual(fromRuns(file('v1/summary/comune/028001.json').territory));
		expect(s.benchmarks).toEqual([fromRuns(italia.regioni![0]!), fromRuns(italia.territory)]);
		expect(s.benchmarks.map((b) => b.id)).toEqual(['r:05', 'it']);
		expect(fixture.requests.map((r) => r.path).filter((p) => p.startsWith('v1/summary/')).sort()).toEqual(['v1/summary/comune/028001.json', 'v1/summary/italia.json']);
	});

	test('the points are those of the extract rows, suppressed cells null', async () => {
		const s = (await store(['c:028003']).summary('c:028003'))!;
		const rows = await engine.query(
			`SELECT strftime(month, '%Y-%m') AS month, measure, nuclei, persone, importo_medio, nuclei_per_1000 FROM fixture WHERE territory_id = 'c:028003' ORDER BY measure, month`
		);
		expect(s.territory.series).toEqual(rows.map((r) => ({ ...r })));
		expect(s.territory.series.some((p) => p.nuclei === null)).toBe(true);
	});

	test('Italia alone: one file, no benchmarks', async () => {
		const s = (await store(['it']).summary('it'))!;
		expect(s.territory.id).toBe('it');
		expect(s.benchmarks).toEqual([]);
	});

	test('two runs of one measure: the months between them are absent, not suppressed', () => {
		const t: SummaryFileTerritory = {
			id: 'c:028001', name: 'Abano Terme', level: 'comune', residenti: 19726,
			runs: [
				{ measure: 'ADI', from: '2024-11', nuclei: [5, null], persone: [9, null], importo_medio: [600.5, null], nuclei_per_1000: [0.25, null] },
				{ measure: 'ADI', from: '2025-03', nuclei: [7], persone: [12], importo_medio: [610], nuclei_per_1000: [0.35] }
			]
		};
		expect(fromRuns(t).series.map((p) => `${p.month} ${p.nuclei}`)).toEqual(['2024-11 5', '2024-12 null', '2025-03 7']);
	});

	test('files of two versions (a publish in between), an unknown format or a missing benchmark give no summary: the views wait for DuckDB', () => {
		const own = file('v1/summary/ats/X05001.json');
		const italia = file('v1/summary/italia.json');
		expect(assembleSummary(own, italia)).not.toBeNull();
		expect(assembleSummary(own, { ...italia, version: 'v2' })).toBeNull();
		expect(assembleSummary({ ...own, schema_version: 1 as 3 }, italia)).toBeNull();
		// schema 2 does not say which suppressions are secondary: its "< 3" could be a count of 40
		expect(assembleSummary({ ...own, schema_version: 2 as 3 }, italia)).toBeNull();
		expect(assembleSummary(own, { ...italia, regioni: [] })).toBeNull();
	});
});

describe('figures of a measure choice', () => {
	const point = (month: string, measure: 'RdC' | 'PdC' | 'ADI', nuclei: number | null) => ({ month, measure, nuclei, persone: nuclei === null ? null : nuclei * 2, importo_medio: null, nuclei_per_1000: null });
	const t = {
		id: 'c:063060' as const,
		name: 'Pozzuoli',
		level: 'comune' as const,
		residenti: 80357,
		series: [point('2023-03', 'PdC', null), point('2023-03', 'RdC', 57), point('2024-01', 'ADI', null)]
	};

	test('a total with a suppressed part is "n.d." (RdC alone is 57), a single suppressed measure "< 3" (null)', () => {
		const sum = figuresAt(t, '2023-03', 'totale')!;
		expect(sum).toMatchObject({ nuclei: null, persone: null, parts: 2 });
		expect(countCell(sum, sum.nuclei)).toBe('n.d.');
		expect(cellText(countCell(sum, sum.nuclei), 'count')).toBe('n.d.');
		const rdc = figuresAt(t, '2023-03', 'RdC')!;
		expect(countCell(rdc, rdc.nuclei)).toBe(57);
		const adi = figuresAt(t, '2024-01', 'totale')!;
		expect(adi.parts).toBe(1);
		expect(cellText(countCell(adi, adi.nuclei), 'count')).toBe('< 3');
	});

	test('a single measure hidden by secondary suppression (the run lists it in `secondari`) is "n.d.", a primary one "< 3"', () => {
		const run = { measure: 'ADI' as const, from: '2024-01', nuclei: [null, null, 40], persone: [null, null, 90], importo_medio: [null, null, 600], nuclei_per_1000: [null, null, 0.5], secondari: [1] };
		const x = fromRuns({ id: 'c:063060', name: 'Pozzuoli', level: 'comune', residenti: 80357, runs: [run] });
		expect(x.series.map((p) => p.secondario ?? false)).toEqual([false, true, false]);
		const cells = ['2024-01', '2024-02', '2024-03'].map((m) => figuresAt(x, m, 'totale')!).map((f) => [cellText(countCell(f, f.nuclei), 'count'), cellText(countCell(f, f.persone), 'count')]);
		expect(cells).toEqual([['< 3', '< 3'], ['n.d.', 'n.d.'], ['40', '90']]);
	});
});
