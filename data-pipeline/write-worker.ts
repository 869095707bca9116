/** Worker thread of write-extracts.ts: writes its share of the scoped files and posts what it wrote. */
import { parentPort, workerData } from 'node:worker_threads';
import { writeFiles, type FileJob, type Rows } from './extract-files.ts';

const { rows, dir, jobs } = workerData as { rows: Rows; dir: string; jobs: FileJob[] };
parentPort!.postMessage(writeFiles(rows, dir, jobs));
