import { describe, expect, test } from 'vitest';
import type { ManifestFile } from '#contracts';
import { accessTo } from './territory.ts';

const file = (scope: string, within: string[]) => ({ kind: 'extract', scope, within, path: `v1/${scope}.parquet` }) as unknown as ManifestFile;
// What the gateway sends an ATS user of a:X15038: italia.parquet, the ATS and its Comuni.
const atsManifest = [file('it', []), file('a:X15038', ['r:15']), file('c:063060', ['r:15', 'a:X15038'])];

describe('accessTo', () => {
	test('Italia is a territory in view only for national users', () => {
		expect(accessTo('it', ['it'], null)).toBe('allowed');
		for (const user of [['r:15'], ['a:X15038'], ['c:063060']]) expect(accessTo('it', user, atsManifest)).toBe('refused');
		expect(accessTo('it', ['c:063060'], null)).toBe('refused'); // no need to wait for the manifest
	});
	test('the user’s own territory at once; inside it once the manifest lists its extract', () => {
		expect(accessTo('a:X15038', ['a:X15038'], null)).toBe('allowed');
		expect(accessTo('c:063060', ['a:X15038'], null)).toBe('unknown');
		expect(accessTo('c:063060', ['a:X15038'], atsManifest)).toBe('allowed');
	});
	test('a territory outside the scope is refused, also when an extract names it as a benchmark', () => {
		expect(accessTo('c:063049', ['a:X15038'], atsManifest)).toBe('refused');
		expect(accessTo('r:15', ['a:X15038'], atsManifest)).toBe('refused');
		expect(accessTo('r:03', ['r:15'], [file('it', []), file('r:15', [])])).toBe('refused');
		expect(accessTo('a:X15038', ['c:063060'], atsManifest)).toBe('refused');
	});
	test('a Comune or ATS without a file of its own is left to the data layer when the user\'s Regione is published without its detail files', () => {
		// The demo: Lombardia (r:03) has its Regione file only; Campania (r:15) also its ATS and Comune files.
		const lombardia = [file('it', []), file('r:03', [])];
		expect(accessTo('c:015146', ['r:03'], lombardia)).toBe('allowed');
		expect(accessTo('a:X03041', ['r:03'], lombardia)).toBe('allowed');
		const campania = [file('it', []), file('r:15', []), file('a:X15038', ['r:15']), file('c:063060', ['r:15', 'a:X15038'])];
		// Campania's user sees every file inside it: a Comune it does not list is not inside.
		expect(accessTo('c:015146', ['r:15'], campania)).toBe('refused');
		expect(accessTo('c:063049', ['a:X15038'], atsManifest)).toBe('refused');
		expect(accessTo('c:015146', ['c:063060'], atsManifest)).toBe('refused');
	});
	test('national users view everything', () => {
		expect(accessTo('c:063049', ['it'], null)).toBe('allowed');
	});
});
