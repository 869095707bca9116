/**
 * User queries first: DuckDB-WASM's worker answers one query at a time, in the order asked, so
 * work done ahead (a month's answers, the series of every territory) delays any choice the user
 * makes while it runs. Views mark what the user is waiting for with `foreground`; work done ahead
 * goes through `background`, one task at a time, each started only when no foreground work is
 * under way and the page is idle (`requestIdleCallback`: the answer's frame is drawn first). A
 * task already running is not interrupted: background tasks are kept short (one query each), so
 * a choice waits at most for one of them.
 */

let active = 0;
let running = false;
/** Tasks waiting, by priority (0 first), each in the order queued. */
let tasks: { priority: number; run: () => Promise<void> }[] = [];

/** Starts the next task when nothing else runs. */
function wake(): void {
	if (running || tasks.length === 0 || active > 0) return;
	running = true;
	// And when the page is idle: not while a step's frame is being drawn (the worker's result is
	// decoded on the main thread, and on a loaded machine the worker takes CPU from it).
	idle(() => {
		if (active > 0) {
			running = false;
			return wake();
		}
		const next = tasks.reduce((a, b) => (b.priority < a.priority ? b : a));
		tasks.splice(tasks.indexOf(next), 1);
		void next.run().finally(() => {
			running = false;
			wake();
		});
	});
}

function idle(run: () => void): void {
	if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: 1000 });
	else setTimeout(run, 0);
}

/** Runs `work` as what the user waits for: background tasks do not start meanwhile. */
export async function foreground<T>(work: () => Promise<T>): Promise<T> {
	active++;
	try {
		return await work();
	} finally {
		active--;
		wake();
	}
}

/**
 * Runs `task` once no foreground work is under way, one task at a time, lower `priority` first
 * (then in the order queued). Keep a task to one query: a choice made while it runs waits for it.
 */
export function background<T>(task: () => Promise<T>, priority = 0): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		tasks.push({ priority, run: () => Promise.resolve().then(task).then(resolve, reject) });
		wake();
	});
}

/** For tests: forget what is queued. */
export function resetBackground(): void {
	active = 0;
	running = false;
	tasks = [];
}
