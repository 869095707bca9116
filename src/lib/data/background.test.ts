import { afterEach, describe, expect, test } from 'vitest';
import { QUIET_MS, background, foreground, held, needed, resetBackground, userInput, whenQuiet, whenSettled } from './background.ts';

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

describe('background work and the user step', () => {
	/** Long enough for a frame (16 ms without one in Node), the quiet period and an idle callback. */
	const AFTER_STEP = QUIET_MS + 60;

	test('a task queued during a step starts only once the step has been quiet for QUIET_MS', async () => {
		const log: string[] = [];
		userInput();
		const ahead = background(async () => void log.push('ahead'));
		await sleep(QUIET_MS / 2);
		// Another input inside the quiet period starts it again.
		userInput();
		await sleep(QUIET_MS / 2 + 20);
		expect(log).toEqual([]);
		await sleep(AFTER_STEP);
		expect(log).toEqual(['ahead']);
		await ahead;
	});

	test('an answer that arrives during a step is handed over after it, not inside it', async () => {
		const log: string[] = [];
		let answer!: (v: string) => void;
		const worker = new Promise<string>((r) => (answer = r));
		const ahead = background(async () => {
			const cols = await held(worker);
			log.push(`decoded ${cols}`);
		});
		await sleep(10); // the task is running: its query is in the worker
		userInput();
		answer('month');
		await sleep(20);
		expect(log).toEqual([]);
		await ahead;
		expect(log).toEqual(['decoded month']);
	});

	test('foreground work holds answers too, until its own answer is painted and quiet', async () => {
		const log: string[] = [];
		let release!: () => void;
		let answer!: (v: string) => void;
		const worker = new Promise<string>((r) => (answer = r));
		const ahead = background(async () => void log.push(`decoded ${await held(worker)}`));
		await sleep(10);
		const user = foreground(() => new Promise<void>((r) => (release = r)).then(() => void log.push('user')));
		answer('series');
		await sleep(AFTER_STEP);
		expect(log).toEqual([]);
		release();
		await user;
		await sleep(QUIET_MS / 2);
		expect(log).toEqual(['user']);
		await ahead;
		expect(log).toEqual(['user', 'decoded series']);
	});

	test('a step that waits for work under way gets its answer at once, and its next query runs', async () => {
		const log: string[] = [];
		let answer!: (v: string) => void;
		const worker = new Promise<string>((r) => (answer = r));
		// A build of two tasks (as a month's answers: the slice, then the query on it).
		const build = background(async () => void log.push(`slice ${await held(worker)}`)).then(() => background(async () => void log.push('answers')));
		await sleep(10);
		userInput();
		answer('built');
		const start = performance.now();
		await needed(build);
		expect(log).toEqual(['slice built', 'answers']);
		expect(performance.now() - start).toBeLessThan(QUIET_MS);
	});

	test('scheduling ahead waits for the quiet', async () => {
		const log: string[] = [];
		userInput();
		whenQuiet(() => log.push('scheduled'));
		await sleep(20);
		expect(log).toEqual([]);
		await sleep(AFTER_STEP);
		expect(log).toEqual(['scheduled']);
	});

	test('work for a settled choice waits for the next step to end, or for a long quiet', async () => {
		const log: string[] = [];
		whenSettled(() => log.push('after a step'), 10_000);
		await sleep(AFTER_STEP);
		// Quiet, but no step has come since it was asked: the choice may still be passed through.
		expect(log).toEqual([]);
		userInput();
		await sleep(20);
		expect(log).toEqual([]);
		await sleep(AFTER_STEP);
		expect(log).toEqual(['after a step']);

		whenSettled(() => log.push('after the quiet'), 150);
		await sleep(100);
		expect(log).toEqual(['after a step']);
		await sleep(150);
		expect(log).toEqual(['after a step', 'after the quiet']);
	});
});
