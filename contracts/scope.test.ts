import { describe, expect, test } from 'vitest';
import { reaches } from './scope.ts';
import { levelOf, territoryId } from './territory.ts';

const comuneFile = { scope: 'c:028001', within: ['r:05', 'a:X05003'] };
const atsFile = { scope: 'a:X05003', within: ['r:05'] };
const italia = { scope: 'it', within: [] };

describe('reaches', () => {
	test('italia.parquet is open to every accredited user', () => {
		expect(reaches(['c:001001'], italia)).toBe(true);
	});
	test('a Regione reaches the ATS and Comuni inside it, not another Regione', () => {
		expect(reaches(['r:05'], comuneFile)).toBe(true);
		expect(reaches(['r:05'], atsFile)).toBe(true);
		expect(reaches(['r:03'], comuneFile)).toBe(false);
	});
	test('an ATS reaches its Comuni; a Comune reaches only itself', () => {
		expect(reaches(['a:X05003'], comuneFile)).toBe(true);
		expect(reaches(['a:X05004'], comuneFile)).toBe(false);
		expect(reaches(['c:028001'], comuneFile)).toBe(true);
		expect(reaches(['c:028001'], atsFile)).toBe(false);
	});
	test('malformed territories reach nothing but the national file', () => {
		expect(reaches(['r:5', 'x'], comuneFile)).toBe(false);
		expect(reaches([], atsFile)).toBe(false);
	});
});

test('territory ids parse and build', () => {
	expect(levelOf('r:05')).toBe('regione');
	expect(levelOf('a:T05015')).toBe('ats');
	expect(levelOf('c:28001')).toBe(null);
	expect(territoryId('comune', '028001')).toBe('c:028001');
	expect(() => territoryId('regione', '5')).toThrow();
});
