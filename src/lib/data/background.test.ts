import { afterEach, describe, expect, test } from 'vitest';
import { background, foreground, resetBackground } from './background.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
afterEach(resetBackground);

describe('background work', () => {
	test('waits while the user waits for a query, and starts once it is answered', async () => {
		const log: string[] = [];
		let release!: () => void;
		const user = foreground(() => new Promise<void>((r) => (release = r)).then(() => void log.push('user')));
		const ahead = background(async () => void log.push('ahead'));
		await sleep(100);
		expect(log).toEqual([]);
		release();
		await user;
		await ahead;
		expect(log).toEqual(['user', 'ahead']);
	});

	test('one task at a time, lower priority first, then in the order queued', async () => {
		const log: string[] = [];
		let running = 0;
		const task = (name: string) => async () => {
			expect(++running).toBe(1);
			await sleep(5);
			log.push(name);
			running--;
		};
		await Promise.all([background(task('a'), 2), background(task('b'), 0), background(task('c'), 1), background(task('d'), 0)]);
		// The next task is chosen when the page is idle: all four are queued by then.
		expect(log).toEqual(['b', 'd', 'c', 'a']);
	});

	test('a failed task rejects its own promise and does not stop the others', async () => {
		const failed = background(async () => {
			throw new Error('no');
		});
		await expect(failed).rejects.toThrow('no');
		await expect(background(async () => 42)).resolves.toBe(42);
	});
});
