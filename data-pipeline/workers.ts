/**
 * The pipeline's worker threads (write-extracts.ts, verify-scoped.ts): a list of jobs dealt
 * round-robin to one thread per core (≤ 4, at least 20 jobs each; the environment variable
 * named by the caller overrides the count), so every thread gets large and small files alike.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** Runs `script` once per share of `jobs`, with `workerData(share)`; resolves with what each worker posted, by share. */
export async function inWorkerThreads<J, R>(script: URL, jobs: J[], workerData: (share: J[]) => unknown, countVariable: string): Promise<R[]> {
	const n = Math.max(1, Math.min(Number(process.env[countVariable]) || Math.min(availableParallelism(), 4), Math.ceil(jobs.length / 20)));
	const shares = Array.from({ length: n }, (_, w) => jobs.filter((_, k) => k % n === w));
	return Promise.all(
		shares.map(
			(share) =>
				new Promise<R>((resolve, reject) => {
					const worker = new Worker(script, { workerData: workerData(share) });
					worker.once('message', resolve);
					worker.once('error', reject);
					worker.once('exit', (code) => (code !== 0 ? reject(new Error(`worker ${script.pathname.split('/').at(-1)} exited with code ${code}`)) : undefined));
				})
		)
	);
}

/** The per-job results of `inWorkerThreads` (each worker posted one value per job of its share), in the order of the jobs. */
export function inJobOrder<T>(results: T[][], jobs: number): T[] {
	const n = results.length;
	return Array.from({ length: jobs }, (_, k) => results[k % n]![Math.floor(k / n)]!);
}
