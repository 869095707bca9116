import { defineConfig } from 'vitest/config';

// Two projects: fast unit/integration tests beside the code, and end-to-end tests that
// build the app, start the real identity provider and gateway, and drive Chromium.
export default defineConfig({
	test: {
		reporters: ['default', './tests/support/summary-reporter.ts'],
		projects: [
			{
				test: {
					name: 'unit',
					include: ['{src,contracts,data-pipeline,gateway,idp,accreditation,scripts,bench}/**/*.test.ts'],
					environment: 'node',
					testTimeout: 60_000
				}
			},
			{
				test: {
					name: 'e2e',
					include: ['tests/**/*.test.ts'],
					globalSetup: ['tests/support/global-setup.ts'],
					environment: 'node',
					// One Chromium at a time on a 2-core machine keeps timings honest.
					fileParallelism: false,
					testTimeout: 120_000,
					hookTimeout: 300_000
				}
			}
		]
	}
});
