import { expect, test, vi } from 'vitest';
import { FISCAL_NUMBER_CLAIM } from '#contracts';
import { StaleCallbackError, isStaleCallback } from './callback-errors.ts';
import { onCallbackRoute, whenCallbackRoute } from './callback-hooks.ts';
import { normalizeConfig } from './config.ts';
import { safeReturnTo } from './return-to.ts';
import { territoryLabel } from './territory-label.ts';
import { userFromClaims } from './user.ts';

const claims = {
	sub: 'CLMLSN79A17G964B',
	[FISCAL_NUMBER_CLAIM]: 'TINIT-CLMLSN79A17G964B',
	name: 'Alessandro',
	family_name: 'Colombo',
	role: 'comune',
	territories: ['c:063060']
};

test('a user is read from the SPID-style claims', () => {
	expect(userFromClaims(claims)).toEqual({
		fiscalCode: 'CLMLSN79A17G964B',
		name: 'Alessandro',
		familyName: 'Colombo',
		role: 'comune',
		territories: ['c:063060']
	});
});

test('tokens without a valid role or territory give no user', () => {
	expect(userFromClaims({ ...claims, role: 'admin' })).toBeNull();
	expect(userFromClaims({ ...claims, territories: [] })).toBeNull();
	expect(userFromClaims({ ...claims, territories: ['063060'] })).toBeNull();
	expect(userFromClaims({ ...claims, [FISCAL_NUMBER_CLAIM]: undefined })).toBeNull();
	expect(userFromClaims({ ...claims, territories: ['x', 'r:15'] })?.territories).toEqual(['r:15']);
});

test('config.json is validated field by field', () => {
	const good = { issuer: 'http://localhost:4174', client_id: 'cruscotto', audience: 'cruscotto-extracts', scopes: 'openid profile' };
	expect(normalizeConfig(good)).toEqual(good);
	expect(() => normalizeConfig({ ...good, issuer: '' })).toThrow(/"issuer"/);
	expect(() => normalizeConfig({ ...good, scopes: 'profile' })).toThrow(/openid/);
	expect(() => normalizeConfig(null)).toThrow(/"issuer"/);
});

test('territory labels in Italian', () => {
	expect(territoryLabel('it')).toBe('Italia');
	expect(territoryLabel('r:15')).toBe('Regione 15');
	expect(territoryLabel('a:X15012')).toBe('ATS X15012');
	expect(territoryLabel('c:063060')).toBe('Comune 063060');
});

test('callback hooks run once, also when registered late, and a failing one does not stop the others', () => {
	const first = vi.fn(() => {
		throw new Error('boom');
	});
	const second = vi.fn();
	const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
	whenCallbackRoute(first);
	whenCallbackRoute(second);
	onCallbackRoute();
	onCallbackRoute();
	expect(first).toHaveBeenCalledTimes(1);
	expect(second).toHaveBeenCalledTimes(1);
	const late = vi.fn();
	whenCallbackRoute(late);
	expect(late).toHaveBeenCalledTimes(1);
	quiet.mockRestore();
});

test('returnTo accepts only same-origin paths', () => {
	expect(safeReturnTo('/confronto?indicatore=nuclei')).toBe('/confronto?indicatore=nuclei');
	expect(safeReturnTo('//evil.example/x')).toBe('/');
	expect(safeReturnTo('/\\evil.example')).toBe('/');
	expect(safeReturnTo('https://evil.example/')).toBe('/');
	expect(safeReturnTo('javascript:alert(1)')).toBe('/');
	// URL parsers drop tabs and newlines, and read `\` as `/`: each of these is `//evil.example`.
	for (const sneaky of ['/\t/evil.example', '/\n/evil.example', '/\r\n/evil.example/x', '/\t\\evil.example', '\t//evil.example']) {
		expect(safeReturnTo(sneaky), JSON.stringify(sneaky)).toBe('/');
	}
	expect(safeReturnTo('/confronto#mappa')).toBe('/confronto#mappa');
});

test('a callback with no login under way is told apart from a failed login, in Italian', () => {
	expect(isStaleCallback(new Error('No state in response'))).toBe(true);
	expect(isStaleCallback(new Error('No matching state found in storage'))).toBe(true);
	expect(isStaleCallback(new Error('access_denied'))).toBe(false);
	expect(new StaleCallbackError().message).toMatch(/^Questo link di accesso non è più valido/);
});
