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
