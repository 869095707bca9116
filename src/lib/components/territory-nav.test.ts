import { expect, test } from 'vitest';
import { reaches, type ManifestFile } from '#contracts';
import { normalize, search, sortOptions, trail, viewable, type PickerOption } from './territory-nav.ts';

const f = (scope: string, within: string[], kind: ManifestFile['kind'] = 'extract'): ManifestFile => ({ path: `v/${scope}`, scope, within, kind, rows: 1, bytes: 1, sha256: '' });
const files = [
	f('it', []),
	f('r:05', []),
	f('r:05', [], 'summary'),
	f('a:X05001', ['r:05']),
	f('c:028001', ['r:05', 'a:X05001']),
	f('c:028002', ['r:05', 'a:X05001']),
	f('a:X05002', ['r:05']),
	f('c:028003', ['r:05', 'a:X05002']),
	f('r:06', []),
	f('c:030001', ['r:06', 'a:X06001'])
];

test('what a user may put in view follows the gateway: own scope and inside; Italia only for national users', () => {
	expect([...viewable(files, ['r:05']).keys()]).toEqual(['r:05', 'a:X05001', 'c:028001', 'c:028002', 'a:X05002', 'c:028003']);
	expect([...viewable(files, ['a:X05001']).keys()]).toEqual(['a:X05001', 'c:028001', 'c:028002']);
	expect([...viewable(files, ['c:028001']).keys()]).toEqual(['c:028001']);
	expect(viewable(files, ['it']).size).toBe(9);
	expect(viewable(files, ['it']).has('it')).toBe(true);
	// The gateway's rule (`reaches`), Italia aside: a view only for national users.
	for (const user of [['r:05'], ['a:X05002', 'c:028001'], ['it'], ['bogus', 'c:028003'], []]) {
		const byRule = files.filter((x) => x.kind === 'extract' && (x.scope === 'it' ? user.includes('it') : reaches(user, x))).map((x) => x.scope);
		expect([...viewable(files, user).keys()], user.join()).toEqual(byRule);
	}
});

test('the breadcrumb goes Italia › Regione › ATS › Comune and links only what may be opened', () => {
	const name = (id: string) => id.toUpperCase();
	const ats = trail('c:028002', viewable(files, ['a:X05001']), name);
	expect(ats.map((c) => [c.id, c.link, c.current])).toEqual([
		['it', false, false],
		['r:05', false, false],
		['a:X05001', true, false],
		['c:028002', false, true]
	]);
	expect(trail('c:028002', viewable(files, ['it']), name).map((c) => c.link)).toEqual([true, true, true, false]);
	expect(trail('r:05', viewable(files, ['r:05']), name).map((c) => c.id)).toEqual(['it', 'r:05']);
});

const o = (id: string, name: string, level: PickerOption['level']): PickerOption => ({ id, name, level, context: '' });
const options = sortOptions([
	o('c:001', "Sant'Angelo Lodigiano", 'comune'),
	o('c:002', 'Santo Stefano Lodigiano', 'comune'),
	o('c:003', 'Cassano d’Adda', 'comune'),
	o('c:004', 'Abbadia Cerreto', 'comune'),
	o('a:X03001', 'Ambito sintetico Lodi 1', 'ats'),
	o('r:03', 'Lombardia', 'regione'),
	o('c:005', 'Città di Castello', 'comune')
]);

test('type-ahead: accents, case and apostrophes ignored; names starting with the text first, then word starts, then the rest', () => {
	expect(normalize("Sant'Angelo d’Adda È")).toBe('sant angelo d adda e');
	expect(search(options, 'SANT').shown.map((x) => x.id)).toEqual(['c:001', 'c:002']);
	expect(search(options, 'lodi').shown.map((x) => x.id)).toEqual(['a:X03001', 'c:001', 'c:002']);
	expect(search(options, 'citta').shown.map((x) => x.id)).toEqual(['c:005']);
	expect(search(options, 'adda').shown.map((x) => x.id)).toEqual(['c:003']);
	expect(search(options, 'erret').shown.map((x) => x.id)).toEqual(['c:004']);
	expect(search(options, 'x03001').shown.map((x) => x.id)).toEqual(['a:X03001']);
	expect(search(options, 'zzz')).toEqual({ shown: [], total: 0 });
});

test('an empty box lists what sits above the Comuni when everything would not fit; results are capped with their total', () => {
	expect(search(options, '', 3).shown.map((x) => x.id)).toEqual(['r:03', 'a:X03001']);
	expect(search(options, '').shown.length).toBe(7);
	const many = Array.from({ length: 1506 }, (_, i) => o(`c:${String(i).padStart(6, '0')}`, `Comune ${i}`, 'comune'));
	const r = search(many, 'comune 1');
	expect(r.shown.length).toBe(60);
	expect(r.total).toBe(many.filter((x) => x.name.startsWith('Comune 1')).length);
});
