/**
 * `npm start`: the demo. Builds the demo extracts when absent and the app when stale, writes
 * the demo accreditation registry (or uses `--registry FILE`, an `accreditation export`),
 * starts the identity provider and the gateway, checks each login through the real flow,
 * then prints the URL and the logins. Ctrl-C stops all.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ROLE_LABELS } from '#contracts';
import { consoleLogger } from '../data-pipeline/log.ts';
import { LoginRefusedError, signIn } from '../idp/code-flow.ts';
import type { DemoIdentity } from '../idp/demo-identities.ts';
import { parseRegistry } from '../idp/registry.ts';
import { buildDemoExtracts, demoTerritories } from './demo-data.ts';
import { startStack, type Stack } from './stack.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
function newestMtime(entry: string): number {
	const info = statSync(entry);
	if (!info.isDirectory()) return info.mtimeMs;
	return readdirSync(entry).reduce((max, name) => Math.max(max, newestMtime(path.join(entry, name))), info.mtimeMs);
}

function buildAppIfStale(): void {
	const index = path.join(ROOT, 'build', 'index.html');
	const sources = ['src', 'static', 'contracts', 'vite.config.ts', 'package.json'].map((p) => path.join(ROOT, p));
	if (existsSync(index) && statSync(index).mtimeMs >= Math.max(...sources.filter(existsSync).map(newestMtime))) return;
	console.log('Building the app…');
	execFileSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
}

async function assertPortFree(port: number, name: string): Promise<void> {
	await new Promise<void>((resolve, reject) => {
		const probe = net.createServer();
		probe.once('error', () => reject(new Error(`port ${port} (${name}) is in use: stop what uses it or set ${name}`)));
		probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
	});
}

/** How many logins of a given registry are checked and printed (a real one may hold hundreds). */
const MAX_CHECKED = 20;

/** Signs each identity in through the real flow and reads the manifest: only what works is printed. */
async function checkLogins(stack: Stack): Promise<Map<string, string>> {
	const outcome = new Map<string, string>();
	for (const who of stack.identities.slice(0, MAX_CHECKED)) {
		try {
			const tokens = await signIn({ issuer: stack.idpURL, clientId: stack.config.client_id, redirectUri: `${stack.appURL}/auth/callback`, fiscalCode: who.fiscal_code });
			const res = await fetch(`${stack.appURL}/extracts/manifest.json`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
			outcome.set(who.fiscal_code, res.ok ? 'ok' : `manifest HTTP ${res.status}`);
		} catch (error) {
			const refused = error instanceof LoginRefusedError && who.status !== 'confirmed';
			outcome.set(who.fiscal_code, refused ? 'refused' : String(error));
		}
	}
	return outcome;
}

function printLogins(stack: Stack, outcome: Map<string, string>): void {
	const where = (who: DemoIdentity) => (who.territoryName === who.territories.join(', ') ? who.territoryName : `${who.territoryName} (${who.territories.join(', ')})`);
	const row = (who: DemoIdentity) => `  ${who.fiscal_code}  ${`${who.name} ${who.family_name}`.padEnd(20)} ${ROLE_LABELS[who.role].padEnd(20)} ${where(who)}`;
	console.log(`\nCruscotto: ${stack.appURL}`);
	console.log(`Identity provider (test logins): ${stack.idpURL}\n`);
	console.log('Test logins — click one on the login page, or type its codice fiscale and press "Entra":');
	for (const who of stack.identities.filter((w) => w.status === 'confirmed' && outcome.get(w.fiscal_code) === 'ok')) console.log(row(who));
	const refused = stack.identities.filter((w) => w.status !== 'confirmed' && outcome.get(w.fiscal_code) === 'refused');
	if (refused.length) console.log('\nNot accredited (they see the pending / revoked page):');
	for (const who of refused) console.log(`${row(who)}  [${who.status === 'pending' ? 'in attesa' : 'revocato'}]`);
	const broken = [...outcome].filter(([, v]) => v !== 'ok' && v !== 'refused');
	for (const [cf, why] of broken) console.error(`warning: login ${cf} does not work: ${why}`);
	const unchecked = stack.identities.length - outcome.size;
	if (unchecked > 0) console.log(`\n…and ${unchecked} more in the registry (not checked).`);
	const first = stack.identities.find((w) => outcome.get(w.fiscal_code) === 'ok');
	if (first) console.log(`\nA token for scripts: npm run token -- --as ${first.fiscal_code}`);
	console.log('Ctrl-C stops the demo.');
}

async function main() {
	const { values } = parseArgs({ options: { boundaries: { type: 'string' }, registry: { type: 'string' } } });
	const registryFile = values.registry && path.resolve(values.registry);
	if (registryFile) {
		if (!existsSync(registryFile)) throw new Error(`--registry ${values.registry}: no such file (write one with: npm run accreditation -- export --out FILE)`);
		parseRegistry(readFileSync(registryFile, 'utf8')); // a malformed file stops here, with the entry named
	}
	const appPort = Number(process.env.PORT ?? 4173);
	const idpPort = Number(process.env.IDP_PORT ?? 4174);
	await assertPortFree(appPort, 'PORT');
	await assertPortFree(idpPort, 'IDP_PORT');

	const extractsDir = path.join(ROOT, 'var', 'extracts');
	if (!existsSync(path.join(extractsDir, 'manifest.json'))) {
		console.log('Building the demo extracts (once; delete var/extracts to rebuild)…');
		await buildDemoExtracts(extractsDir, values.boundaries && path.resolve(values.boundaries), consoleLogger);
	}
	buildAppIfStale();

	const stack = await startStack({
		appDir: path.join(ROOT, 'build'),
		extractsDir,
		varDir: path.join(ROOT, 'var', 'idp'),
		territories: await demoTerritories(extractsDir),
		publicHost: 'localhost',
		appPort,
		idpPort,
		registryFile
	});
	const stop = async () => {
		await stack.close();
		process.exit(0);
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
	printLogins(stack, await checkLogins(stack));
}

main().catch((error: unknown) => {
	console.error(`start: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});
