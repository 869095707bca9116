/**
 * Brings up the real stack once for the end-to-end tests: builds the app, builds the demo
 * extracts, and starts the identity provider and the gateway on free loopback ports.
 * Tests read what they need with `inject(...)`; log in with `loginAs` (tests/support/login.ts).
 */
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import type { DemoIdentity } from '../../idp/demo-identities.ts';
import { startTestStack } from './stack.ts';

declare module 'vitest' {
	export interface ProvidedContext {
		/** The gateway: the app, `/config.json` and `/extracts/`. */
		baseURL: string;
		/** The identity provider's issuer URL. */
		idpURL: string;
		/** The published demo extracts (holds manifest.json). */
		extractsDir: string;
		/** False while the pipeline cannot build demo extracts yet. */
		hasExtracts: boolean;
		/** The demo accreditation registry the provider reads (tests may rewrite it). */
		registryFile: string;
		/** The demo identities: one per role, plus one pending and one revoked. */
		identities: DemoIdentity[];
	}
}

export default async function setup(project: TestProject) {
	execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
	const stack = await startTestStack();
	project.provide('baseURL', stack.appURL);
	project.provide('idpURL', stack.idpURL);
	project.provide('extractsDir', stack.extractsDir);
	project.provide('hasExtracts', stack.hasExtracts);
	project.provide('registryFile', stack.registryFile);
	project.provide('identities', stack.identities);
	return () => stack.close();
}
