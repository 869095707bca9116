import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { parseRegistry } from '../idp/registry.ts';
import { makeExtractsFixture } from '../gateway/testing.ts';
import { readLog } from './audit-log.ts';
import { addMinistero, confirm, currentState, exportRegistry, importFile, RegistryError, revoke } from './registry.ts';
import { mapFromCsv, mapFromExtracts, type TerritoryMap } from './territory-map.ts';

const FIXTURES = path.resolve('tests/fixtures/accreditation');
const fixture = (name: string) => path.join(FIXTURES, name);
const who = { actor: 'operatore.ministero' };

let dir: string;
let map: TerritoryMap;
beforeEach(async () => {
	dir = await mkdtemp(path.join(tmpdir(), 'accreditation-'));
	map = await mapFromCsv(fixture('ats-map.csv'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** The problems of a refused change (fails the test when the change went through). */
async function refused(p: Promise<unknown>): Promise<string[]> {
	const err = await p.then(
		() => null,
		(e: unknown) => e
	);
	expect(err).toBeInstanceOf(RegistryError);
	return (err as RegistryError).problems;
}

async function csv(name: string, header: string, rows: string[]): Promise<string> {
	const file = path.join(dir, name);
	await writeFile(file, [header, ...rows].join('\n') + '\n');
	return file;
}

const statusOf = async (cf: string) => (await currentState(dir)).entries.filter((e) => e.fiscal_code === cf).map((e) => e.status);

describe('the GePI roster', () => {
	test('amministratori and coordinatori are accredited directly, for their ATS', async () => {
		const plan = await importFile(dir, 'gepi', fixture('gepi-roster.csv'), map, who);
		expect(plan.events.map((e) => [e.action, e.role, e.territory])).toEqual([
			['accredit', 'ats_amministratore', 'a:X05001'],
			['accredit', 'ats_coordinatore', 'a:X05001'],
			['accredit', 'ats_amministratore', 'a:X05002'],
			['accredit', 'ats_amministratore', 'a:X03001']
		]);
		expect(await statusOf('RSSMRC68L04G224O')).toEqual(['confirmed']);
	});

	test('importing the same roster again changes nothing', async () => {
		await importFile(dir, 'gepi', fixture('gepi-roster.csv'), map, who);
		const again = await importFile(dir, 'gepi', fixture('gepi-roster.csv'), map, who);
		expect(again.events).toEqual([]);
		expect(again.unchanged).toEqual([2, 3, 4, 5]);
	});
});

describe('the regional form', () => {
	const header = 'referente_codice_fiscale,regione,codice_fiscale,nome,cognome';
	const CFS = ['FRRCHR82S61L781T', 'SPSLCU79A30L840L', 'RMNSRA90P49L407W', 'CLMPLA71E17F205R', 'RCCNNA85B42G224Z', 'GRCLNE88T65A757P', 'GLLLRA83R51A001H', 'DLCVNT91C59G224C', 'BNCGLI75C52L736P'];

	test('requests stay pending; confirm needs the PEC reference', async () => {
		await importFile(dir, 'regione', fixture('modulo-regione.csv'), null, who);
		expect(await statusOf('FRRCHR82S61L781T')).toEqual(['pending']);
		expect(await refused(confirm(dir, ['FRRCHR82S61L781T'], undefined, who))).toEqual([expect.stringContaining('Accreditamento dashboard')]);
		expect(await refused(confirm(dir, ['FRRCHR82S61L781T'], '  ', who))).toHaveLength(1);
		await confirm(dir, ['FRRCHR82S61L781T'], 'PEC prot. 4512 del 02/06/2023', who);
		expect(await statusOf('FRRCHR82S61L781T')).toEqual(['confirmed']);
		const log = await readLog(dir);
		expect(log.at(-1)).toMatchObject({ action: 'confirm', pec_ref: 'PEC prot. 4512 del 02/06/2023', actor: 'operatore.ministero' });
		expect(Date.parse(log.at(-1)!.at)).toBeGreaterThan(Date.now() - 60_000);
	});

	test('the 9th regional user of a Regione is refused, and the whole file with it', async () => {
		const eight = await csv('eight.csv', header, CFS.slice(0, 8).map((cf, i) => `BRNFNC60H06G224D,05,${cf},Nome${i},Cognome${i}`));
		await importFile(dir, 'regione', eight, null, who);
		await confirm(dir, [CFS[0], CFS[1]], 'PEC 1', who);
		const ninth = await csv('ninth.csv', header, ['BRNFNC60H06G224D,03,MRNDVD77M14H620S,Davide,Marino', `BRNFNC60H06G224D,05,${CFS[8]},Giulia,Bianchi`]);
		const problems = await refused(importFile(dir, 'regione', ninth, null, who));
		expect(problems).toEqual(['row 3: Regione r:05 already has 8 regional users, pending and confirmed together (at most 8); revoke one first']);
		// Not half-applied: the good row 2 (another Regione) was not imported either.
		expect(await statusOf('MRNDVD77M14H620S')).toEqual([]);
		await revoke(dir, [CFS[7]], 'left the office', undefined, who);
		await importFile(dir, 'regione', ninth, null, who);
		expect(await statusOf(CFS[8])).toEqual(['pending']);
	});

	test('nine new users in one file: the 9th row is the one refused', async () => {
		const nine = await csv('nine.csv', header, CFS.map((cf, i) => `BRNFNC60H06G224D,05,${cf},Nome${i},Cognome${i}`));
		expect(await refused(importFile(dir, 'regione', nine, null, who))).toEqual([expect.stringMatching(/^row 10: Regione r:05 already has 8/)]);
		expect((await currentState(dir)).entries).toEqual([]);
	});

	test('bad codici fiscali are rejected with their row number', async () => {
		const bad = await csv('bad.csv', header, [
			'BRNFNC60H06G224D,05,FRRCHR82S61L781T,Chiara,Ferrari',
			'BRNFNC60H06G224D,05,FRRCHR82S61L781X,Chiara,Ferrari',
			'BRNFNC60H06G224D,05,FRRCHR82S61L78,Chiara,Ferrari',
			'BRNFNC60H06G224D,05,FRRCHR8ZS61L781T,Chiara,Ferrari',
			'BRNFNC60H06G224X,05,SPSLCU79A30L840L,Luca,Esposito',
			// omocodia: a digit replaced by a letter, with its own check character, is valid
			'BRNFNC60H06G224D,05,RMNSRAVLP49L407W,Sara,Romano'
		]);
		expect(await refused(importFile(dir, 'regione', bad, null, who))).toEqual([
			'row 3: codice_fiscale: codice fiscale "FRRCHR82S61L781X" has check character X, expected T',
			'row 4: codice_fiscale: codice fiscale "FRRCHR82S61L78" has 14 characters, not 16',
			'row 5: codice_fiscale: codice fiscale "FRRCHR8ZS61L781T" is not in the format AAAAAA00A00A000A',
			'row 6: referente_codice_fiscale: codice fiscale "BRNFNC60H06G224X" has check character X, expected D'
		]);
		expect((await currentState(dir)).entries).toEqual([]);
	});
});

describe("the ATS administrator's form", () => {
	beforeEach(async () => {
		await importFile(dir, 'gepi', fixture('gepi-roster.csv'), map, who);
	});

	test('the administrator registers Ufficio di Piano and Comune users of the ATS, pending', async () => {
		const plan = await importFile(dir, 'ats', fixture('modulo-ats.csv'), map, who);
		expect(plan.events.map((e) => [e.role, e.territory, e.requested_by])).toEqual([
			['ufficio_di_piano', 'a:X05001', 'RSSMRC68L04G224O'],
			['comune', 'c:028001', 'RSSMRC68L04G224O'],
			['comune', 'c:028002', 'RSSMRC68L04G224O']
		]);
		expect(await statusOf('GLLLRA83R51A001H')).toEqual(['pending']);
	});

	test('a Comune of another ATS, a coordinator as compiler and a bad codice fiscale are refused', async () => {
		expect(await refused(importFile(dir, 'ats', fixture('modulo-ats-errori.csv'), map, who))).toEqual([
			'row 3: codice_fiscale: codice fiscale "GRCLNE88T65A757X" has check character X, expected P',
			'row 4: comune: c:028003 is not in a:X05001; an ATS administrator may register users only for the Comuni of that ATS',
			'row 5: BRNFNC60H06G224D is not a GePI amministratore of a:X05001: only the ATS administrator may register users for it'
		]);
		expect(await statusOf('GRCLNE88T65A757P')).toEqual([]);
	});

	test('a revoked administrator can no longer register users', async () => {
		await revoke(dir, ['RSSMRC68L04G224O'], 'no longer in GePI', undefined, who);
		const problems = await refused(importFile(dir, 'ats', fixture('modulo-ats.csv'), map, who));
		expect(problems).toHaveLength(3);
		expect(problems[0]).toContain('is not a GePI amministratore of a:X05001');
	});

	test('the Comune→ATS map can come from the published extracts', async () => {
		const { dir: extracts } = await makeExtractsFixture(dir);
		const fromExtracts = await mapFromExtracts(extracts);
		expect(fromExtracts.comuneToAts.get('c:028002')).toBe('a:X05001');
		expect(fromExtracts.comuneToAts.get('c:028003')).toBe('a:X05002');
		const problems = await refused(importFile(dir, 'ats', fixture('modulo-ats-errori.csv'), fromExtracts, who));
		expect(problems[1]).toBe('row 4: comune: c:028003 is not in a:X05001; an ATS administrator may register users only for the Comuni of that ATS');
	});
});

describe('conflicts, revocation and the export for the identity provider', () => {
	test('one person cannot hold two roles without it being said', async () => {
		await importFile(dir, 'gepi', fixture('gepi-roster.csv'), map, who);
		const file = await csv('r.csv', 'referente_codice_fiscale,regione,codice_fiscale,nome,cognome', ['BNCGLI75C52L736P,05,RSSMRC68L04G224O,Marco,Rossi']);
		expect(await refused(importFile(dir, 'regione', file, null, who))).toEqual([
			expect.stringMatching(/^row 2: conflicting accreditation: RSSMRC68L04G224O already holds a confirmed accreditation as ats_amministratore for a:X05001 \(A000001\)/)
		]);
		expect(await refused(addMinistero(dir, { fiscal_code: 'RSSMRC68L04G224O', name: 'Marco', family_name: 'Rossi' }, who))).toEqual([
			expect.stringContaining('conflicting accreditation')
		]);
	});

	test('revoke; the export is what the identity provider parses', async () => {
		await importFile(dir, 'gepi', fixture('gepi-roster.csv'), map, who);
		await importFile(dir, 'ats', fixture('modulo-ats.csv'), map, who);
		await addMinistero(dir, { fiscal_code: 'CLMPLA71E17F205R', name: 'Paolo', family_name: 'Colombo' }, who);
		await confirm(dir, ['GLLLRA83R51A001H'], 'PEC ambito 1 n. 77', who);
		await revoke(dir, ['MRNDVD77M14H620S'], undefined, 'PEC 99', who);
		expect(await refused(revoke(dir, ['MRNDVD77M14H620S'], undefined, undefined, who))).toEqual(['MRNDVD77M14H620S: no active accreditation']);
		const out = path.join(dir, 'registry.json');
		await exportRegistry(dir, out);
		const entries = parseRegistry(await readFile(out, 'utf8'));
		const by = (cf: string) => entries.filter((e) => e.fiscal_code === cf).map((e) => [e.role, e.territories, e.status]);
		expect(by('CLMPLA71E17F205R')).toEqual([['ministero', ['it'], 'confirmed']]);
		expect(by('GLLLRA83R51A001H')).toEqual([['comune', ['c:028001'], 'confirmed']]);
		expect(by('DLCVNT91C59G224C')).toEqual([['comune', ['c:028002'], 'pending']]);
		expect(by('MRNDVD77M14H620S')).toEqual([['ats_amministratore', ['a:X05002'], 'revoked']]);
		expect(entries.find((e) => e.fiscal_code === 'GLLLRA83R51A001H')).toMatchObject({ name: 'Laura', family_name: 'Gallo' });
		const log = await readLog(dir);
		expect(log.find((e) => e.action === 'revoke')).toMatchObject({ id: 'A000003', reason: 'revoked by the Ministry', pec_ref: 'PEC 99' });
		// codici fiscali and roles: the log and the export are readable by their owner only
		for (const f of [out, path.join(dir, 'audit.jsonl')]) expect(((await stat(f)).mode & 0o777).toString(8)).toBe('600');
	});
});

describe('names', () => {
	const header = 'referente_codice_fiscale,regione,codice_fiscale,nome,cognome';
	test('a name a spreadsheet would run as a formula, or holding a tab or newline, refuses the file', async () => {
		// `list` prints tab-separated lines that operators paste into spreadsheets; names reach tokens and pages.
		const file = await csv('regione.csv', header, [
			'BNCGLI75C52L736P,05,FRRCHR82S61L781T,"=HYPERLINK(""http://x.example"")",Ferrari',
			'BNCGLI75C52L736P,05,SPSLCU79A30L840L,Luca,"+39 Esposito"',
			'BNCGLI75C52L736P,05,RMNSRA90P49L407W,"Sara\tX",Romano',
			'BNCGLI75C52L736P,05,RSSMRC68L04G224O,"@Marco","Rossi\nA000001"'
		]);
		const problems = await refused(importFile(dir, 'regione', file, map, who));
		const names = problems.filter((p) => /must start with a letter/.test(p));
		expect(names.slice(0, 3).map((p) => p.split(':')[0])).toEqual(['row 2', 'row 3', 'row 4']);
		// The last row's quoted newline makes csv-parse count it as row 6 (the line where the record ends).
		expect(names.slice(3).map((p) => p.split(': ')[1])).toEqual(['nome', 'cognome']);
		expect(await readLog(dir)).toEqual([]);
		expect(await refused(addMinistero(dir, { fiscal_code: 'CLMPLA71E17F205R', name: '-Paolo', family_name: 'Colombo' }, who))).toHaveLength(1);
	});

	test('Italian and foreign names with apostrophes, accents, spaces, hyphens and dots are accepted', async () => {
		const file = await csv('regione.csv', header, [
			"BNCGLI75C52L736P,05,FRRCHR82S61L781T,Chiara Maria,D'Amico",
			'BNCGLI75C52L736P,05,SPSLCU79A30L840L,Luca,Dell’Orto',
			'BNCGLI75C52L736P,05,RMNSRA90P49L407W,Zoë,Müller-Lüdenscheidt',
			'BNCGLI75C52L736P,05,RSSMRC68L04G224O,Niccolò,De Sanctis Jr.'
		]);
		expect((await importFile(dir, 'regione', file, map, who)).events).toHaveLength(4);
	});
});
