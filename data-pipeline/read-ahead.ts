/**
 * Reads the previous version's files ahead of the write and verify stages, in a thread of its
 * own, many at a time, so that they are in the page cache when the write workers and verify
 * read them one by one.
 *
 * A monthly build reads every file of the previous version (the kept row groups, the summaries'
 * earlier months, the checksums). A month after that version was written those files are on disk
 * only, and read one at a time by each of two threads they made the month's build 1.5–2× slower
 * than right after the previous build (docs/decisions/0027, session 9). Read 16 at a time, the
 * same 333 MB took 3.7 s instead of 10.3 s (one at a time, from Node) on this machine.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

export interface ReadAheadResult {
	files: number;
	bytes: number;
	ms: number;
	/** False when stopped before the last file. */
	done: boolean;
	/** True when the first files came from the page cache, so the rest were not read ahead. */
	cached: boolean;
}

export interface ReadAhead {
	/** Stops reading (if still reading) and tells how far it got. */
	stop(): Promise<ReadAheadResult>;
	/** Resolves when the reading thread has ended (read every file, or stopped). */
	ended: Promise<void>;
}

const LANES = 16;

/** Starts reading `paths` (absolute) in the background; files that cannot be read are skipped (their reader reports them). */
export function readAhead(paths: string[]): ReadAhead {
	const progress = new Int32Array(new SharedArrayBuffer(12)); // files, kB, state (0 reading, 1 done, 2 stopped: cached)
	const t0 = performance.now();
	let ms = 0;
	const worker = new Worker(new URL(import.meta.url), { workerData: { readAhead: paths, progress } });
	const finished = new Promise<void>((resolve) => {
		worker.once('exit', () => {
			ms = performance.now() - t0;
			resolve();
		});
		worker.once('error', () => undefined);
	});
	worker.unref();
	return {
		ended: finished,
		async stop() {
			const state = Atomics.load(progress, 2);
			if (state === 0) await worker.terminate();
			await finished;
			return { files: Atomics.load(progress, 0), bytes: Atomics.load(progress, 1) * 1000, ms, done: state === 1, cached: state === 2 };
		}
	};
}

/**
 * The first PROBE files are read one at a time: when they come from the page cache (a build
 * right after the previous one, as in the benchmark) reading ahead would only take CPU from the
 * writers, and it stops there. Measured on this machine: 17,066 files of a publication one at a
 * time from disk in 10.3 s (~600 µs each); the first 64 from memory, Regione files among them,
 * in 0.19 s with the thread's start. The 200 µs threshold lies between the two.
 */
const PROBE = 64;
const CACHED_US_PER_FILE = Number(process.env.PIPELINE_READ_AHEAD_CACHED_US ?? 200);

async function readAll(paths: string[], progress: Int32Array): Promise<void> {
	let next = 0;
	const tally = (bytes: number) => {
		Atomics.add(progress, 0, 1);
		Atomics.add(progress, 1, Math.round(bytes / 1000));
	};
	const readOne = async (buf: Buffer) => {
		const path = paths[next++]!;
		let bytes = 0;
		try {
			const h = await open(path, 'r');
			try {
				for (let r = await h.read(buf, 0, buf.length, null); r.bytesRead > 0; r = await h.read(buf, 0, buf.length, null)) bytes += r.bytesRead;
			} finally {
				await h.close();
			}
		} catch {
			return;
		}
		tally(bytes);
	};
	// the probe: plain synchronous reads, each timed; their median decides
	const probe = Buffer.allocUnsafe(1 << 20);
	const us: number[] = [];
	for (; next < Math.min(PROBE, paths.length); next++) {
		const t0 = performance.now();
		let bytes = 0;
		try {
			const fd = openSync(paths[next]!, 'r');
			try {
				for (let n = readSync(fd, probe); n > 0; n = readSync(fd, probe)) bytes += n;
			} finally {
				closeSync(fd);
			}
		} catch {
			continue;
		}
		us.push((performance.now() - t0) * 1000);
		tally(bytes);
	}
	us.sort((a, b) => a - b);
	const cached = us.length === PROBE && us[PROBE / 2]! < CACHED_US_PER_FILE;
	if (!cached) {
		const lane = async () => {
			const buf = Buffer.allocUnsafe(1 << 20);
			while (next < paths.length) await readOne(buf);
		};
		await Promise.all(Array.from({ length: LANES }, lane));
	}
	Atomics.store(progress, 2, cached ? 2 : 1);
}

if (!isMainThread && workerData?.readAhead) {
	await readAll(workerData.readAhead as string[], workerData.progress as Int32Array);
	parentPort?.close();
}
