/** Worker thread of verify-scoped.ts: checks its share of the ATS and Comune files and posts what it found. */
import { parentPort, workerData } from 'node:worker_threads';
import { checkShare, type Canonical, type ScopedJob } from './verify-scoped.ts';

const { canonical, jobs, period } = workerData as { canonical: Canonical; jobs: ScopedJob[]; period: { first: number; last: number } };
parentPort!.postMessage(checkShare(canonical, jobs, period));
