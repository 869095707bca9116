/**
 * User queries first: DuckDB-WASM's worker answers one query at a time, in the order asked, so
 * work done ahead (a month's answers, the series of every territory) delays any choice the user
 * makes while it runs. Views mark what the user is waiting for with `foreground`; work done ahead
 * goes through `background`, one task at a time.
 *
 * A user step (an input, or foreground work) closes the background for its own duration: a task
 * starts, and a task under way hands its answer over (`held`: decoding and building objects on
 * the main thread), only once the step's answer has been painted and the page has had no input
 * and no foreground work for `QUIET_MS` — then in idle time (`requestIdleCallback`). A task
 * already running in the worker is not interrupted: background tasks are kept short (one query
 * each), so a choice waits at most for one of them; its answer waits for the step to end, unless
 * the step needs it (`needed`).
 */

/** Quiet needed after a step's painted frame before background work starts or delivers (ms). */
export const QUIET_MS = 80;
/** `whenSettled`: quiet after which a choice counts as settled though no other step came (ms). */
export const SETTLE_MS = 1000;

let active = 0;
let running = false;
/** Tasks waiting, by priority (0 first), each in the order queued. */
let tasks: { priority: number; run: () => Promise<void> }[] = [];
/** No user step under way: its frame painted and `QUIET_MS` passed without input or foreground work. */
let quiet = true;
/** Bumped by each input and each end of foreground work: a quiet check begun before it is stale. */
let stepSeq = 0;
/** How many background results the user waits for (`needed`): delivered even inside a step. */
let urgent = 0;
/** What waits for the quiet: held answers (`settled`) and work scheduled with `whenQuiet`. */
let waiters: (() => void)[] = [];
let listening = false;
/** User inputs so far. */
let inputs = 0;
/** `whenSettled` work waiting for a step after the one it was asked in. */
let settlers: { inputs: number; run: () => void; done: () => boolean }[] = [];

/** Closed to background work: foreground work runs, or a step is under way that waits for none of it. */
const closed = () => active > 0 || (!quiet && urgent === 0);

/** Starts the next task when nothing else runs and no step is under way. */
function wake(): void {
	if (running || tasks.length === 0 || closed()) return;
	running = true;
	// And when the page is idle: not while a frame is being drawn (on a loaded machine the worker
	// takes CPU from the main thread).
	idle(() => {
		if (closed()) {
			// The step that came meanwhile wakes the queue again when it is over.
			running = false;
			return;
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

/** Runs `run` in a task after the next painted frame (or after 1 s: a hidden page draws no frames). */
function afterPaint(run: () => void): void {
	let done = false;
	const once = () => {
		if (done) return;
		done = true;
		run();
	};
	if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => setTimeout(once, 0));
	setTimeout(once, typeof requestAnimationFrame === 'function' ? 1000 : 16);
}

/** Something the user did or waits for: background work holds until it is painted and quiet. */
function stepActivity(): void {
	quiet = false;
	const seq = ++stepSeq;
	if (active > 0) return; // the end of the foreground work checks again
	afterPaint(() =>
		setTimeout(() => {
			if (seq !== stepSeq || active > 0) return;
			quiet = true;
			for (const w of waiters.splice(0)) w();
			const ready = settlers.filter((x) => !x.done() && x.inputs < inputs);
			settlers = settlers.filter((x) => !x.done() && x.inputs >= inputs);
			for (const x of ready) x.run();
			wake();
		}, QUIET_MS)
	);
}

/** The user did something (a click, a key, a choice): called by the page's input listeners, and by tests. */
export function userInput(): void {
	inputs++;
	stepActivity();
}

/** Listens (once, in a browser) for the inputs that start a user step. */
function listen(): void {
	if (listening || typeof window === 'undefined' || typeof window.addEventListener !== 'function') return;
	listening = true;
	for (const type of ['pointerdown', 'keydown', 'click', 'input', 'change', 'popstate']) window.addEventListener(type, userInput, { capture: true, passive: true });
}

/** Runs `work` as what the user waits for: background tasks do not start, nor deliver, meanwhile. */
export async function foreground<T>(work: () => Promise<T>): Promise<T> {
	active++;
	quiet = false;
	stepSeq++;
	try {
		return await work();
	} finally {
		active--;
		stepActivity();
	}
}

/**
 * Runs `task` once no user step is under way, one task at a time, lower `priority` first (then in
 * the order queued). Keep a task to one query: a choice made while it runs waits for it. A task
 * passes its query's answer through `held` before working on it.
 */
export function background<T>(task: () => Promise<T>, priority = 0): Promise<T> {
	listen();
	return new Promise<T>((resolve, reject) => {
		tasks.push({ priority, run: () => Promise.resolve().then(task).then(resolve, reject) });
		wake();
	});
}

/** Resolves once no user step is under way (at once when the user waits for background work: `needed`). */
export function settled(): Promise<void> {
	return quiet || urgent > 0 ? Promise.resolve() : new Promise((r) => waiters.push(r));
}

/** A background task's answer, handed over once no user step is under way (`settled`). */
export async function held<T>(answer: Promise<T>): Promise<T> {
	const value = await answer;
	await settled();
	return value;
}

/** Runs `work` (scheduling more work ahead) once no user step is under way. */
export function whenQuiet(work: () => void): void {
	void settled().then(work);
}

/**
 * Runs `work` once the choice it was asked for has outlived a step: when the page is quiet after
 * the next user input (a sort, a pick: what `work` checks is still the choice on screen), or after
 * `wait` ms of quiet without one. For work ahead that is long and pays off only for a choice the
 * user stays on (every territory's series): a choice passed through on the way to another (the
 * indicators one after the other) does not start it, so it does not run in the next step.
 */
export function whenSettled(work: () => void, wait = SETTLE_MS): void {
	let ran = false;
	const run = () => {
		if (ran) return;
		ran = true;
		work();
	};
	settlers.push({ inputs, run, done: () => ran });
	whenQuiet(() => setTimeout(() => whenQuiet(run), wait));
}

/**
 * The user waits for `ahead`, background work already under way (e.g. a month's answers being
 * built): its answer is handed over at once, step or not, and the queue runs meanwhile (its next
 * query may be part of it).
 */
export async function needed<T>(ahead: Promise<T>): Promise<T> {
	urgent++;
	for (const w of waiters.splice(0)) w();
	wake();
	try {
		return await ahead;
	} finally {
		urgent--;
	}
}

/** For tests: forget what is queued and any step under way. */
export function resetBackground(): void {
	active = 0;
	running = false;
	tasks = [];
	quiet = true;
	stepSeq++;
	urgent = 0;
	waiters = [];
	settlers = [];
}
