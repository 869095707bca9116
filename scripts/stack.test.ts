import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { makeExtractsFixture } from '../gateway/testing.ts';
import { freePort, startStack, type StackOptions } from './stack.ts';

// A port probed free can be taken by another process before the gateway listens on it (test
// files start stacks side by side): startStack must then start on another one, not fail.

let root: string;
let blocker: http.Server;
let taken: number;
let base: Omit<StackOptions, 'varDir'>;

beforeAll(async () => {
	root = await mkdtemp(path.join(tmpdir(), 'stack-ports-'));
	const { dir: extractsDir } = await makeExtractsFixture(root);
	const appDir = path.join(root, 'app');
	await mkdir(appDir);
	await writeFile(path.join(appDir, 'index.html'), '<!doctype html><title>app</title>');
	blocker = http.createServer((_req, res) => res.end('someone else'));
	await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
	taken = (blocker.address() as AddressInfo).port;
	base = {
		appDir,
		extractsDir,
		territories: { regione: { id: 'r:15', name: 'Campania' }, ats: { id: 'a:X15038', name: 'ATS' }, comune: { id: 'c:063060', name: 'Comune' } }
	};
});
afterAll(async () => {
	await new Promise((resolve) => blocker?.close(resolve));
	await rm(root, { recursive: true, force: true });
});

test('a probed port taken before the gateway listens: the stack starts on the next probe, and serves', async () => {
	const probes: number[] = [];
	const probePort = async (host: string) => {
		const port = probes.length === 0 ? taken : await freePort(host);
		probes.push(port);
		return port;
	};
	const stack = await startStack({ ...base, varDir: path.join(root, 'var1'), probePort });
	try {
		expect(probes).toHaveLength(2);
		const port = Number(new URL(stack.appURL).port);
		expect(port).toBe(probes[1]);
		expect(port).not.toBe(taken);
		const config = await (await fetch(`${stack.appURL}/config.json`)).json();
		// the gateway that listens serves the app's settings with the provider that was started with it
		expect(config.issuer).toBe(stack.idpURL);
		const discovery = await fetch(`${stack.idpURL}/.well-known/openid-configuration`);
		expect(discovery.status).toBe(200);
		// the port that was taken still belongs to its owner
		expect(await (await fetch(`http://127.0.0.1:${taken}/`)).text()).toBe('someone else');
	} finally {
		await stack.close();
	}
});

test('a port that stays taken: the stack gives up after five probes with EADDRINUSE', async () => {
	let calls = 0;
	const probePort = async () => {
		calls++;
		return taken;
	};
	await expect(startStack({ ...base, varDir: path.join(root, 'var2'), probePort })).rejects.toMatchObject({ code: 'EADDRINUSE' });
	expect(calls).toBe(5);
});

test('a port asked for explicitly and taken is not swapped for another', async () => {
	await expect(startStack({ ...base, varDir: path.join(root, 'var3'), appPort: taken })).rejects.toMatchObject({ code: 'EADDRINUSE' });
});
