/** Worker thread of verify.ts: checksums, schema and sharing with the previous version of its share of the ATS and Comune files. */
import { parentPort, workerData } from 'node:worker_threads';
import { checkExtract, type ExtractJob } from './verify-files.ts';

const { jobs } = workerData as { jobs: ExtractJob[] };
parentPort!.postMessage(jobs.map(checkExtract));
