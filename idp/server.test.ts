import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FISCAL_NUMBER_CLAIM } from '#contracts';
import { LoginRefusedError, refresh, signIn } from './code-flow.ts';
import { demoIdentities, demoRegistry, listed } from './demo-identities.ts';
import { startIdp, type RunningIdp } from './server.ts';

const territories = {
	regione: { id: 'r:05', name: 'Veneto' },
	ats: { id: 'a:X05003', name: 'Ambito sintetico Padova 3' },
	comune: { id: 'c:028001', name: 'Abano Terme' }
};
const people = demoIdentities(territories);
const byRole = (role: string, status = 'confirmed') => people.find((p) => p.role === role && p.status === status)!;
const APP = 'http://127.0.0.1:4999';

let dir: string;
let idp: RunningIdp;
let registryFile: string;
const writeRegistry = (entries: unknown) => writeFile(registryFile, JSON.stringify(entries));
const login = (fiscalCode: string) =>
	signIn({ issuer: idp.issuer, clientId: idp.clientId, redirectUri: `${APP}/auth/callback`, fiscalCode });

beforeAll(async () => {
	dir = await mkdtemp(path.join(tmpdir(), 'cruscotto-idp-'));
	registryFile = path.join(dir, 'registry.json');
	await writeRegistry(demoRegistry(people));
	idp = await startIdp({ registryFile, keysDir: path.join(dir, 'keys'), appOrigins: [APP], listed: listed(people) });
});
afterAll(async () => {
	await idp?.close();
	await rm(dir, { recursive: true, force: true });
});

describe('login through the real code flow', () => {
	test('a confirmed user gets a signed JWT access token for the gateway with the registry claims', async () => {
		const who = byRole('comune');
		const tokens = await login(who.fiscal_code);
		const jwks = createRemoteJWKSet(new URL('/jwks', idp.issuer));
		const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
			issuer: idp.issuer,
			audience: 'cruscotto-extracts',
			algorithms: ['RS256']
		});
		expect(protectedHeader.typ).toBe('at+jwt');
		expect(payload).toMatchObject({
			[FISCAL_NUMBER_CLAIM]: `TINIT-${who.fiscal_code}`,
			name: who.name,
			family_name: who.family_name,
			role: 'comune',
			territories: ['c:028001']
		});
		expect(tokens.expires_in).toBeLessThanOrEqual(300);
		expect(tokens.refresh_token).toBeTruthy();
		const id = decodeJwt(tokens.id_token);
		expect(id).toMatchObject({ aud: 'cruscotto', role: 'comune', territories: ['c:028001'], name: who.name });
	});

	test('pending, revoked and unknown codici fiscali get no token and an Italian explanation', async () => {
		await expect(login(byRole('comune', 'pending').fiscal_code)).rejects.toThrow(/Accreditamento in attesa/);
		await expect(login(byRole('ufficio_di_piano', 'revoked').fiscal_code)).rejects.toThrow(/Accreditamento revocato/);
		const unknown = login('RSSMRA85T10G224Q');
		await expect(unknown).rejects.toThrow(/non risulta accreditato/);
		await expect(unknown).rejects.toBeInstanceOf(LoginRefusedError);
		await expect(login('RSSMRA85T10G224X')).rejects.toThrow(/non è un codice fiscale valido/);
	});

	test('a registry change takes effect at the next token; a revocation stops the refresh', async () => {
		const who = byRole('regione');
		const first = await login(who.fiscal_code);
		expect(decodeJwt(first.access_token).territories).toEqual(['r:05']);
		const moved = demoRegistry(people).map((e) => (e.fiscal_code === who.fiscal_code ? { ...e, territories: ['r:03'] } : e));
		await writeRegistry(moved);
		const second = await refresh(idp.issuer, idp.clientId, first.refresh_token!);
		expect(decodeJwt(second.access_token).territories).toEqual(['r:03']);
		expect(decodeJwt(second.id_token).territories).toEqual(['r:03']);
		await writeRegistry(moved.map((e) => (e.fiscal_code === who.fiscal_code ? { ...e, status: 'revoked' } : e)));
		await expect(refresh(idp.issuer, idp.clientId, second.refresh_token!)).rejects.toThrow(/invalid_grant/);
		await writeRegistry(demoRegistry(people));
	});
});

test('the login page lists every demo identity and labels the form for scripts', async () => {
	const query = `client_id=cruscotto&response_type=code&scope=openid&redirect_uri=${APP}/auth/callback&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`;
	const start = await fetch(new URL(`/auth?${query}`, idp.issuer), { redirect: 'manual' });
	const cookie = start.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
	const res = await fetch(new URL(start.headers.get('location')!, idp.issuer), { headers: { cookie } });
	const html = await res.text();
	expect(res.status).toBe(200);
	for (const p of people) expect(html).toContain(`data-fiscal-code="${p.fiscal_code}"`);
	expect(html).toMatch(/<label for="fiscal_code">Codice fiscale<\/label>/);
	expect(html).toMatch(/>Entra<\/button>/);
});

test('an expired or forged interaction gets the Italian error page with a way back to the app', async () => {
	const res = await fetch(new URL('/interaction/not-a-real-one', idp.issuer));
	expect(res.status).toBe(400);
	const html = await res.text();
	expect(html).toContain('Accesso non riuscito');
	expect(html).toContain(`href="${APP}/"`);
});

test('authorization requests with another redirect URI, no PKCE or plain PKCE are refused, never redirected', async () => {
	const base = `client_id=cruscotto&response_type=code&scope=openid`;
	const pkce = `code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`;
	const cases = {
		'foreign redirect': `${base}&redirect_uri=https://evil.example/auth/callback&${pkce}`,
		'redirect under the app path': `${base}&redirect_uri=${APP}/auth/callback/../../evil&${pkce}`,
		'redirect with a query': `${base}&redirect_uri=${encodeURIComponent(`${APP}/auth/callback?x=1`)}&${pkce}`,
		'no PKCE': `${base}&redirect_uri=${APP}/auth/callback`,
		'plain PKCE': `${base}&redirect_uri=${APP}/auth/callback&code_challenge=${'a'.repeat(43)}&code_challenge_method=plain`
	};
	for (const [name, query] of Object.entries(cases)) {
		const res = await fetch(new URL(`/auth?${query}`, idp.issuer), { redirect: 'manual' });
		const location = res.headers.get('location') ?? '';
		// Redirect URI errors are shown by the provider; PKCE errors go back to the registered app only.
		expect(location.startsWith('https://evil.example'), name).toBe(false);
		if (name.includes('redirect')) expect(res.status, name).toBe(400);
		else expect(location, name).toMatch(new RegExp(`^${APP}/auth/callback\\?error=invalid_request`));
	}
});
