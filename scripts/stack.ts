/**
 * The running system for the demo and the end-to-end tests: the accreditation registry of
 * the demo identities, the identity provider and the gateway serving the app and extracts.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startGateway, type GatewayAppConfig } from '../gateway/server.ts';
import { demoIdentities, demoRegistry, listed, type DemoIdentity, type DemoTerritories } from '../idp/demo-identities.ts';
import { parseRegistry } from '../idp/registry.ts';
import { startIdp } from '../idp/server.ts';

export interface StackOptions {
	appDir: string;
	extractsDir: string;
	/** Registry and provider keys go here (never inside a served directory). */
	varDir: string;
	territories: DemoTerritories;
	/** Listening address (default 127.0.0.1) and the host name used in URLs (default the same). */
	host?: string;
	publicHost?: string;
	/** 0 (default) picks free ports. */
	appPort?: number;
	/** How a free port for the gateway is picked (default: the kernel's, by a probe); tests race it. */
	probePort?: (host: string) => Promise<number>;
	idpPort?: number;
	/** Access/ID token lifetime in seconds (default 300). */
	accessTokenTTL?: number;
	/**
	 * An `accreditation export` file to use as it is, instead of writing the demo registry.
	 * Its people are not listed on the login page (a real registry never is).
	 */
	registryFile?: string;
}

export interface Stack {
	appURL: string;
	idpURL: string;
	config: GatewayAppConfig;
	registryFile: string;
	identities: DemoIdentity[];
	close(): Promise<void>;
}

/** Writes the demo registry (unless `registryFile` is given), then starts the provider and the gateway. */
export async function startStack(opts: StackOptions): Promise<Stack> {
	const host = opts.host ?? '127.0.0.1';
	const publicHost = opts.publicHost ?? host;
	await mkdir(opts.varDir, { recursive: true });
	const given = opts.registryFile ? path.resolve(opts.registryFile) : null;
	const identities = given ? registryIdentities(await readFile(given, 'utf8')) : demoIdentities(opts.territories);
	const registryFile = given ?? path.join(opts.varDir, 'registry.json');
	if (!given) {
		await writeFile(`${registryFile}.tmp`, JSON.stringify(demoRegistry(identities), null, '\t'));
		await rename(`${registryFile}.tmp`, registryFile);
	}

	// The provider must know the app's redirect URI before it starts, the gateway the issuer. A
	// free port probed here can be taken by another process before the gateway listens on it
	// (tests start stacks side by side): then both start again on another one.
	for (let attempt = 1; ; attempt++) {
		const appPort = opts.appPort || (await (opts.probePort ?? freePort)(host));
		try {
			return { ...(await startOn(appPort)), appURL: `http://${publicHost}:${appPort}` };
		} catch (error) {
			if (opts.appPort || attempt >= 5 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
		}
	}

	async function startOn(appPort: number): Promise<Omit<Stack, 'appURL'>> {
		const origins = [...new Set([publicHost, 'localhost', '127.0.0.1'])].map((h) => `http://${h}:${appPort}`);
		const idp = await startIdp({
			registryFile,
			keysDir: path.join(opts.varDir, 'keys'),
			appOrigins: origins,
			port: opts.idpPort ?? 0,
			host,
			publicHost,
			accessTokenTTL: opts.accessTokenTTL,
			listed: given ? [] : listed(identities)
		});
		const config: GatewayAppConfig = {
			issuer: idp.issuer,
			client_id: idp.clientId,
			audience: idp.audience,
			scopes: 'openid profile cruscotto'
		};
		let gateway: http.Server;
		try {
			gateway = await startGateway({ appDir: opts.appDir, extractsDir: opts.extractsDir, port: appPort, host, config, precompress: true });
		} catch (error) {
			await idp.close();
			throw error;
		}
		return {
			idpURL: idp.issuer,
			config,
			registryFile,
			identities,
			close: () => closeBoth(gateway, idp)
		};
	}
}

/** The people of an `accreditation export` file; territory ids stand in for names. */
function registryIdentities(json: string): DemoIdentity[] {
	return parseRegistry(json).map((e) => ({ ...e, territoryName: e.territories.join(', ') }));
}

/** Stops the gateway (dropping kept-alive connections) and the provider together. */
export async function closeBoth(gateway: http.Server, idp: { close(): Promise<void> }): Promise<void> {
	await Promise.all([
		new Promise<void>((resolve) => {
			gateway.close(() => resolve());
			gateway.closeAllConnections();
		}),
		idp.close()
	]);
}

/** A free loopback port, for a server that must know its port before it listens. */
export async function freePort(host: string): Promise<number> {
	const probe = http.createServer();
	await new Promise<void>((resolve) => probe.listen(0, host, resolve));
	const { port } = probe.address() as AddressInfo;
	await new Promise((resolve) => probe.close(resolve));
	return port;
}
