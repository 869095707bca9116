/**
 * Brings up the real stack once for the end-to-end tests: builds the app and serves it
 * through the gateway on a free loopback port. Tests read the URL with `inject('baseURL')`.
 */
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';
import { startGateway } from '../../gateway/server.ts';

declare module 'vitest' {
	export interface ProvidedContext {
		baseURL: string;
	}
}

export default async function setup(project: TestProject) {
	execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
	const gateway = await startGateway({ appDir: 'build', port: 0 });
	const { port } = gateway.address() as AddressInfo;
	project.provide('baseURL', `http://127.0.0.1:${port}`);
	return async () => {
		await new Promise((resolve) => gateway.close(resolve));
	};
}
