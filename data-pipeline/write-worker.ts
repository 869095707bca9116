/** Worker thread of write-extracts.ts: writes its share of the scoped files and posts what it wrote. */
import { parentPort, workerData } from 'node:worker_threads';
import { writeFiles, type FileJob, type Layout, type Rows } from './extract-files.ts';
import { pageCache } from './parquet-writer.ts';

const { rows, dir, jobs, layout } = workerData as { rows: Rows; dir: string; jobs: FileJob[]; layout: Layout };
const t = performance.now();
const written = writeFiles(rows, dir, jobs, layout);
if (process.env.PIPELINE_SQL_TRACE === '1') console.error(
		`[write worker ${((performance.now() - t) / 1000).toFixed(2)} s, cpu ${((process.threadCpuUsage().user + process.threadCpuUsage().system) / 1e6).toFixed(2)} s, of which system ${(process.threadCpuUsage().system / 1e6).toFixed(2)}] ${jobs.length} files; zstd pages ${pageCache.misses} compressed, ${pageCache.hits} from the cache`
	);
parentPort!.postMessage(written);
