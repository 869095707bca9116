import { expect, test } from 'vitest';
import { ROLES } from '#contracts';
import { demoIdentities, demoRegistry } from './demo-identities.ts';
import { isValidFiscalCode } from './fiscal-code.ts';
import { parseRegistry } from './registry.ts';

const people = demoIdentities({
	regione: { id: 'r:05', name: 'Veneto' },
	ats: { id: 'a:X05003', name: 'Ambito sintetico Padova 3' },
	comune: { id: 'c:028001', name: 'Abano Terme' }
});

test('every demo codice fiscale is valid (check character) and unique', () => {
	for (const p of people) expect(isValidFiscalCode(p.fiscal_code), p.fiscal_code).toBe(true);
	expect(new Set(people.map((p) => p.fiscal_code)).size).toBe(people.length);
	expect(isValidFiscalCode('BNCGLI78C54H501X')).toBe(false);
	expect(isValidFiscalCode('bncgli78c54h501w')).toBe(false);
});

test('one confirmed identity per role, plus a pending and a revoked one', () => {
	const confirmed = people.filter((p) => p.status === 'confirmed');
	expect(confirmed.map((p) => p.role).sort()).toEqual([...ROLES].sort());
	expect(people.filter((p) => p.status === 'pending')).toHaveLength(1);
	expect(people.filter((p) => p.status === 'revoked')).toHaveLength(1);
	expect(people.find((p) => p.role === 'ministero')?.territories).toEqual(['it']);
});

test('the demo registry round-trips through the registry parser', () => {
	const entries = demoRegistry(people);
	expect(parseRegistry(JSON.stringify(entries))).toEqual(entries);
	expect(() => parseRegistry(JSON.stringify([{ ...entries[0], status: 'maybe' }]))).toThrow(/entry 0: unknown status/);
});
