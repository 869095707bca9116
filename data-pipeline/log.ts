/** The side-effects object every stage takes: tests pass a silent one. */

export interface Logger {
	/** A stage finished: its name, counts and time. */
	stage(name: string, detail: string, seconds: number): void;
	info(message: string): void;
	warn(message: string): void;
	/** Fine-grained progress (may be dropped). */
	progress?(message: string): void;
}

/** Prints to stderr (stdout stays free for `--json`). */
export const consoleLogger: Logger = {
	stage: (name, detail, seconds) => console.error(`[${name}] ${detail} (${seconds.toFixed(1)} s)`),
	info: (m) => console.error(m),
	warn: (m) => console.error(`warning: ${m}`),
	progress: (m) => {
		if (process.stderr.isTTY) process.stderr.write(`\r${m.padEnd(70)}\r`);
	}
};

/** Records nothing. */
export const silentLogger: Logger = { stage() {}, info() {}, warn() {} };

/** Times an async step. */
export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
	const t = performance.now();
	const value = await fn();
	return [value, (performance.now() - t) / 1000];
}

/**
 * With PIPELINE_SQL_TRACE=1, `mark(label)` prints the seconds since the previous mark (the
 * parts of a stage that are JavaScript, beside db.ts's per-statement SQL times).
 */
export function traceMarks(stage: string): (label: string) => void {
	if (process.env.PIPELINE_SQL_TRACE !== '1') return () => {};
	let t = performance.now();
	return (label) => {
		const now = performance.now();
		console.error(`[${stage} ${((now - t) / 1000).toFixed(2)} s] ${label}`);
		t = now;
	};
}
