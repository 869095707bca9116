import { afterEach, describe, expect, test, vi } from 'vitest';
import { idleSteps } from './idle-steps.ts';

/** A fake `requestIdleCallback`: the test runs each idle period with the time it says is left. */
function fakeIdle() {
	const queue: ((d: IdleDeadline) => void)[] = [];
	vi.stubGlobal('requestIdleCallback', (fn: (d: IdleDeadline) => void) => queue.push(fn));
	vi.stubGlobal('cancelIdleCallback', (h: number) => (queue[h - 1] = () => undefined));
	return {
		pending: () => queue.length,
		period(left: number[]) {
			const fn = queue.shift()!;
			let i = 0;
			fn({ didTimeout: false, timeRemaining: () => left[Math.min(i++, left.length - 1)] });
		}
	};
}

afterEach(() => vi.unstubAllGlobals());

describe('idle steps', () => {
	test('one step per idle period at least, more while the period has time left, until done', () => {
		const idle = fakeIdle();
		const done: number[] = [];
		idleSteps(
			(function* () {
				for (let i = 0; i < 5; i++) {
					done.push(i);
					yield;
				}
			})()
		);
		expect(done).toEqual([]);
		// 2 ms left: one step only.
		idle.period([2]);
		expect(done).toEqual([0]);
		// 30 ms, then 20, then 5 left after each step: three steps.
		idle.period([30, 20, 5]);
		expect(done).toEqual([0, 1, 2, 3]);
		idle.period([30]);
		expect(done).toEqual([0, 1, 2, 3, 4]);
		// The generator ended: nothing more is asked.
		expect(idle.pending()).toBe(0);
	});

	test('stopped, it runs nothing more', () => {
		const idle = fakeIdle();
		const done: number[] = [];
		const stop = idleSteps(
			(function* () {
				for (let i = 0; i < 5; i++) {
					done.push(i);
					yield;
				}
			})()
		);
		idle.period([2]);
		stop();
		while (idle.pending() > 0) idle.period([30]);
		expect(done).toEqual([0]);
	});
});
