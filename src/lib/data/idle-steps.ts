/**
 * Work prepared ahead on the main thread, in idle time and in small steps: a generator's steps
 * run from `requestIdleCallback`, at least one per idle period and more while it has time left,
 * so a click that arrives meanwhile waits for one step at most.
 */

/** Steps are run while the idle period has more than this left (ms). */
const MARGIN_MS = 10;

/** Runs `steps` in idle time; returns a function that stops it (what has run stays done). */
export function idleSteps(steps: Iterator<unknown>): () => void {
	let stopped = false;
	let handle: ReturnType<typeof setTimeout> | number | undefined;
	const hasIdle = typeof requestIdleCallback === 'function';
	const run = (deadline?: IdleDeadline) => {
		if (stopped) return;
		do {
			if (steps.next().done) return;
		} while (!stopped && (deadline?.timeRemaining() ?? 0) > MARGIN_MS);
		if (!stopped) schedule();
	};
	const schedule = () => (handle = hasIdle ? requestIdleCallback(run, { timeout: 2000 }) : setTimeout(run, 0));
	schedule();
	return () => {
		stopped = true;
		if (hasIdle) cancelIdleCallback(handle as number);
		else clearTimeout(handle);
	};
}
