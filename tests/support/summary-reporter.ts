/**
 * Prints one closing line, `tests: N passed, N failed, N skipped`, after Vitest's own summary,
 * so CI and scripts can read the outcome in a runner-neutral form.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
	onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<unknown>) {
		let passed = 0;
		let failed = 0;
		let skipped = 0;
		for (const mod of modules) {
			for (const test of mod.children.allTests()) {
				const state = test.result().state;
				if (state === 'passed') passed++;
				else if (state === 'failed') failed++;
				else skipped++;
			}
			// A module that failed to load has no tests but is still a failure.
			if (mod.state() === 'failed' && mod.children.size === 0) failed++;
		}
		failed += errors.length;
		process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
	}
}
