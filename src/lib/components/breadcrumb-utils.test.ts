import { describe, expect, test } from 'vitest';
import { ancestry, breadcrumbTrail, childLevel, mayView, type TerritoryNode } from './breadcrumb-utils.ts';

const list: TerritoryNode[] = [
	{ id: 'it', name: 'Italia', level: 'italia', parent_id: null },
	{ id: 'r:05', name: 'Veneto', level: 'regione', parent_id: 'it' },
	{ id: 'a:X05001', name: 'Ambito sintetico Padova 1', level: 'ats', parent_id: 'r:05' },
	{ id: 'c:028001', name: 'Abano Terme', level: 'comune', parent_id: 'a:X05001' },
	{ id: 'a:X05002', name: 'Ambito sintetico Padova 2', level: 'ats', parent_id: 'r:05' }
];
const nodes = new Map(list.map((n) => [n.id, n]));

describe('drill-down trail', () => {
	test('ancestry goes from Italia down to the Comune', () => {
		expect(ancestry('c:028001', nodes).map((n) => n.id)).toEqual(['it', 'r:05', 'a:X05001', 'c:028001']);
	});
	test('a Regione user sees Regione › ATS › Comune, the Comune current', () => {
		const crumbs = breadcrumbTrail('c:028001', nodes, ['r:05']);
		expect(crumbs.map((c) => c.name)).toEqual(['Veneto', 'Ambito sintetico Padova 1', 'Abano Terme']);
		expect(crumbs.map((c) => c.current)).toEqual([false, false, true]);
	});
	test('a lookup instead of a map (Confronto asks only for the ancestors): the same trail, and only the chain is read', () => {
		const asked: string[] = [];
		const lookup = { get: (id: string) => (asked.push(id), nodes.get(id)) };
		expect(breadcrumbTrail('c:028001', lookup, ['r:05'])).toEqual(breadcrumbTrail('c:028001', nodes, ['r:05']));
		expect(new Set(asked)).toEqual(new Set(['c:028001', 'a:X05001', 'r:05', 'it']));
	});
	test('an ATS user starts at their ATS, never at the Regione', () => {
		expect(breadcrumbTrail('c:028001', nodes, ['a:X05001']).map((c) => c.id)).toEqual(['a:X05001', 'c:028001']);
		expect(breadcrumbTrail('r:05', nodes, ['a:X05001'])).toEqual([]);
	});
	test('a national user starts at Italia', () => {
		expect(breadcrumbTrail('a:X05002', nodes, ['it']).map((c) => c.id)).toEqual(['it', 'r:05', 'a:X05002']);
	});
	test('who may view what', () => {
		expect(mayView('c:028001', nodes, ['a:X05001'])).toBe(true);
		expect(mayView('a:X05002', nodes, ['a:X05001'])).toBe(false);
		expect(mayView('r:05', nodes, ['a:X05001'])).toBe(false);
		expect(mayView('r:09', nodes, ['it'])).toBe(true);
	});
	test('a parent loop does not hang', () => {
		const loop = new Map([
			['a:A', { id: 'a:A', name: 'A', level: 'ats' as const, parent_id: 'a:B' }],
			['a:B', { id: 'a:B', name: 'B', level: 'ats' as const, parent_id: 'a:A' }]
		]);
		expect(ancestry('a:A', loop)).toHaveLength(2);
	});
	test('drilling goes one level down', () => {
		expect(['italia', 'regione', 'ats', 'comune'].map((l) => childLevel(l as 'italia'))).toEqual(['regione', 'ats', 'comune', null]);
	});
});
