/**
 * `node bench/wasm-encoding.ts [--app DIR] [--reps N]`: how long Chromium takes to hand a page
 * the DuckDB wasm from its HTTP cache when the cached response is brotli, gzip or identity (the
 * cache keeps the bytes as sent and decodes them on every read: a returning user's engine start
 * waits for all 18 MB before the compiled-code cache can be used). One loopback server, one
 * profile; each variant is fetched once to fill the cache, then read `--reps` times in rotating
 * order. Decision 0032.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser } from '../tests/support/browser.ts';
import { median } from './stats.ts';

const { values } = parseArgs({ options: { app: { type: 'string', default: 'var/bench/app' }, reps: { type: 'string', default: '8' } } });
const dir = path.join(values.app!, '_app/immutable/assets');
const name = (await import('node:fs')).readdirSync(dir).find((f) => /^duckdb-eh\..*\.wasm$/.test(f));
if (!name) throw new Error(`no duckdb-eh wasm in ${dir} (build the app first)`);
const variants = {
	br: { body: await readFile(path.join(dir, name + '.br')), encoding: 'br' },
	gzip: { body: await readFile(path.join(dir, name + '.gz')), encoding: 'gzip' },
	identity: { body: await readFile(path.join(dir, name)), encoding: null }
} as const;
type Variant = keyof typeof variants;

const server = http.createServer((req, res) => {
	const v = (req.url ?? '').match(/^\/(br|gzip|identity)\.wasm$/)?.[1] as Variant | undefined;
	if (!v) {
		res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>wasm</title>');
		return;
	}
	const { body, encoding } = variants[v];
	res.writeHead(200, {
		'content-type': 'application/wasm',
		'cache-control': 'public, max-age=31536000, immutable',
		etag: `"${v}"`,
		'content-length': body.length,
		...(encoding ? { 'content-encoding': encoding } : {})
	});
	res.end(body);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const browser = await launchBrowser();
try {
	const page = await browser.context.newPage();
	await page.goto(base + '/');
	const read = (v: Variant) =>
		page.evaluate(async (url) => {
			const t0 = performance.now();
			const bytes = await (await fetch(url)).arrayBuffer();
			return { ms: performance.now() - t0, bytes: bytes.byteLength };
		}, `${base}/${v}.wasm`);
	const order: Variant[] = ['br', 'gzip', 'identity'];
	for (const v of order) process.stderr.write(`fill ${v}: ${JSON.stringify(await read(v))} (${variants[v].body.length} B on the wire)\n`);
	const ms: Record<Variant, number[]> = { br: [], gzip: [], identity: [] };
	for (let i = 0; i < Number(values.reps); i++) {
		for (const v of [...order.slice(i % 3), ...order.slice(0, i % 3)]) ms[v].push((await read(v)).ms);
	}
	for (const v of order) {
		const sorted = [...ms[v]].sort((a, b) => a - b);
		process.stdout.write(`${v.padEnd(9)} ${variants[v].body.length.toString().padStart(9)} B  from the HTTP cache: median ${median(ms[v])?.toFixed(0)} ms (${sorted.map((x) => x.toFixed(0)).join(', ')})\n`);
	}
} finally {
	await browser.close();
	server.close();
}
