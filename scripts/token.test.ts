import { execFile } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { demoIdentities, demoRegistry } from '../idp/demo-identities.ts';
import { startIdp, type RunningIdp } from '../idp/server.ts';

const run = promisify(execFile);
const APP = 'http://127.0.0.1:4999';
const people = demoIdentities({
	regione: { id: 'r:15', name: 'Campania' },
	ats: { id: 'a:X15012', name: 'Ambito sintetico Napoli 12' },
	comune: { id: 'c:063060', name: 'Pozzuoli' }
});

let dir: string;
let idp: RunningIdp;
beforeAll(async () => {
	dir = await mkdtemp(path.join(tmpdir(), 'cruscotto-token-'));
	await writeFile(path.join(dir, 'registry.json'), JSON.stringify(demoRegistry(people)));
	idp = await startIdp({ registryFile: path.join(dir, 'registry.json'), keysDir: path.join(dir, 'keys'), appOrigins: [APP] });
});
afterAll(async () => {
	await idp?.close();
	await rm(dir, { recursive: true, force: true });
});

const token = (...args: string[]) => run(process.execPath, ['scripts/token.ts', '--issuer', idp.issuer, '--app', APP, ...args]);

test('npm run token prints an access token for the identity, from the real flow', async () => {
	const ats = people.find((p) => p.role === 'ats_amministratore')!;
	const { stdout } = await token('--as', ats.fiscal_code);
	const claims = decodeJwt(stdout.trim());
	expect(claims).toMatchObject({ aud: 'cruscotto-extracts', iss: idp.issuer, role: 'ats_amministratore', territories: ['a:X15012'] });
});

test('a pending identity gets no token and a non-zero exit with the reason', async () => {
	const pending = people.find((p) => p.status === 'pending')!;
	const failure = await token('--as', pending.fiscal_code).catch((error: { code: number; stderr: string }) => error);
	expect(failure).toMatchObject({ code: 1 });
	expect((failure as { stderr: string }).stderr).toMatch(/login refused for .*Accreditamento in attesa/);
});

test('without a provider it says what to do', async () => {
	const probe = http.createServer().listen(0, '127.0.0.1');
	await once(probe, 'listening');
	const closed = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
	await new Promise((resolve) => probe.close(resolve));
	const failure = await run(process.execPath, ['scripts/token.ts', '--as', people[0].fiscal_code, '--issuer', closed]).catch(
		(error: { stderr: string }) => error
	);
	expect((failure as { stderr: string }).stderr).toContain(`no identity provider at ${closed}: is \`npm start\` running?`);
});
