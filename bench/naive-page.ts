/**
 * The naive design's page (browser code, bundled by bench/naive.ts): DuckDB-WASM 1.28 reads
 * one national Parquet file of every Comune over HTTP (range reads) and computes the first
 * chart of a Regione user — the Regione's monthly households per measure. It sets
 * `naive:first-chart` when the chart is drawn, or `window.naiveError`.
 */
import * as duckdb from '@duckdb/duckdb-wasm';

declare global {
	interface Window {
		naiveError?: string;
		naiveRows?: number;
	}
}

interface FirstChartSpec {
	/** The Regione's ATS ids: the national file says where a Comune lies only through `parent_id`. */
	parents: string[];
}

async function main(): Promise<void> {
	const base = location.origin;
	const bundle = await duckdb.selectBundle({
		mvp: { mainModule: `${base}/duckdb-mvp.wasm`, mainWorker: `${base}/duckdb-browser-mvp.worker.js` },
		eh: { mainModule: `${base}/duckdb-eh.wasm`, mainWorker: `${base}/duckdb-browser-eh.worker.js` }
	});
	const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), new Worker(bundle.mainWorker!));
	const [spec] = await Promise.all([
		fetch('/first-chart.json').then((r) => r.json() as Promise<FirstChartSpec>),
		db.instantiate(bundle.mainModule, bundle.pthreadWorker)
	]);
	await db.registerFileURL('national.parquet', `${base}/national.parquet`, duckdb.DuckDBDataProtocol.HTTP, false);
	const conn = await db.connect();
	await db.registerFileText('scope.csv', ['parent_id', ...spec.parents].join('\n'));
	const result = await conn.query(`
		SELECT month, measure, sum(nuclei)::DOUBLE AS nuclei
		FROM read_parquet('national.parquet')
		WHERE parent_id IN (SELECT parent_id FROM read_csv('scope.csv', header = true, columns = {'parent_id': 'VARCHAR'}))
		GROUP BY month, measure
		ORDER BY measure, month`);
	const months = result.getChild('month')!.toArray() as ArrayLike<number>;
	const values = result.getChild('nuclei')!.toArray() as ArrayLike<number>;
	draw(months, values);
	window.naiveRows = result.numRows;
	requestAnimationFrame(() => setTimeout(() => performance.mark('naive:first-chart'), 0));
}

/** A bare line chart, so the naive page also pays for putting the chart on screen. */
function draw(x: ArrayLike<number>, y: ArrayLike<number>): void {
	const max = Math.max(...Array.from(y));
	const min = Math.min(...Array.from(x));
	const span = Math.max(...Array.from(x)) - min || 1;
	const points = Array.from(y, (v, i) => `${(((x[i] - min) / span) * 600).toFixed(1)},${(300 - (v / max) * 300).toFixed(1)}`);
	const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
	svg.setAttribute('viewBox', '0 0 600 300');
	const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
	line.setAttribute('points', points.join(' '));
	line.setAttribute('fill', 'none');
	line.setAttribute('stroke', '#06c');
	svg.append(line);
	document.body.append(svg);
}

main().catch((error: unknown) => {
	window.naiveError = error instanceof Error ? error.message : String(error);
});
