/**
 * Gateway throughput on loopback: autocannon fetching one ATS extract through the gateway with
 * the token check, and through the same server with the check switched off. The gateway runs
 * in a child process so the load generator does not share its event loop. Runs alternate
 * (open, checked, open, checked) so drift on a shared machine hits both alike.
 *
 * `benchGateway(opts)` is what `npm run bench` calls; alone: `node bench/gateway.ts [--json]`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { Manifest } from '../contracts/manifest.ts';
import { createTokenVerifier, decideExtract, indexManifest, type TokenVerifier } from '../gateway/authorize.ts';
import { startGateway } from '../gateway/server.ts';
import { makeExtractsFixture, mintToken, startTestIssuer } from '../gateway/testing.ts';

export interface GatewayBenchOptions {
	/** Published extracts; without them a fixture is made (ATS files of `fixtureBytes`). */
	extractsDir?: string;
	/** The ATS extract to fetch, relative to `extractsDir`. */
	atsFile?: string;
	fixtureBytes?: number;
	/** Seconds per run. */
	duration?: number;
	/** Alternating runs per configuration; the median is reported. */
	rounds?: number;
	connections?: number;
	log?: (line: string) => void;
}

interface Served {
	url: string;
	child: ChildProcess;
}

/** Starts the gateway in a child process (this file with `--serve`). */
function serve(config: Record<string, unknown>): Promise<Served> {
	const child = fork(fileURLToPath(import.meta.url), ['--serve', JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	return new Promise((resolve, reject) => {
		child.once('message', (m) => resolve({ url: `http://127.0.0.1:${(m as { port: number }).port}`, child }));
		child.once('exit', (code) => reject(new Error(`gateway child exited with ${code}`)));
	});
}

async function load(url: string, headers: Record<string, string>, duration: number, connections: number) {
	const r = await autocannon({ url, headers, duration, connections });
	if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx responses, ${r.errors} errors`);
	return { rps: r.requests.average, p99: r.latency.p99 };
}

/** Requests/s and p99 latency with and without the token check, and the check's overhead. */
export async function benchGateway(opts: GatewayBenchOptions = {}): Promise<Record<string, number>> {
	const log = opts.log ?? (() => {});
	const duration = opts.duration ?? 4;
	const rounds = opts.rounds ?? 3;
	const connections = opts.connections ?? 10;
	const scratch = await mkdtemp(path.join(tmpdir(), 'bench-gateway-'));
	const issuer = await startTestIssuer();
	const children: ChildProcess[] = [];
	try {
		let extractsDir = opts.extractsDir;
		let atsFile = opts.atsFile;
		if (!extractsDir) {
			({ dir: extractsDir } = await makeExtractsFixture(scratch, opts.fixtureBytes ?? 60_000));
			atsFile = 'v2/ats/X05001.parquet';
		}
		const manifest = JSON.parse(await readFile(path.join(extractsDir, 'manifest.json'), 'utf8')) as Manifest;
		const file = manifest.files.find((f) => f.path === atsFile) ?? manifest.files.find((f) => f.scope.startsWith('a:') && f.kind === 'extract');
		if (!file) throw new Error(`no ATS extract in ${extractsDir}/manifest.json`);
		const token = await mintToken(issuer.privateKey, { issuer: issuer.issuer, role: 'ats_amministratore', territories: [file.scope], expiresIn: 3600 });
		const base = { appDir: scratch, extractsDir, port: 0 };
		const checked = await serve({ ...base, issuer: issuer.issuer, jwksUrl: issuer.jwksUrl });
		const open = await serve({ ...base, unsafeNoAuth: true });
		children.push(checked.child, open.child);
		const target = `/extracts/${file.path}`;
		const auth = { authorization: `Bearer ${token}` };
		log(`gateway: ${file.path} (${file.bytes} bytes), ${connections} connections, ${rounds} × ${duration} s per configuration`);
		await load(open.url + target, {}, 1, connections);
		await load(checked.url + target, auth, 1, connections);
		const runs = { open: [] as { rps: number; p99: number }[], checked: [] as { rps: number; p99: number }[] };
		for (let i = 0; i < rounds; i++) {
			runs.open.push(await load(open.url + target, {}, duration, connections));
			runs.checked.push(await load(checked.url + target, auth, duration, connections));
			log(`gateway run ${i + 1}: open ${Math.round(runs.open[i].rps)} req/s, checked ${Math.round(runs.checked[i].rps)} req/s`);
		}
		const cost = await checkCost(issuer.issuer, issuer.jwksUrl, token, manifest, file.path);
		log(`gateway check cost: ${cost.verify_us.toFixed(1)} µs full verification, ${cost.cached_us.toFixed(1)} µs cached`);
		const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
		const rpsOpen = median(runs.open.map((r) => r.rps));
		const rpsChecked = median(runs.checked.map((r) => r.rps));
		return {
			gateway_rps_checked: Math.round(rpsChecked),
			gateway_p99_ms_checked: median(runs.checked.map((r) => r.p99)),
			gateway_rps_open: Math.round(rpsOpen),
			gateway_p99_ms_open: median(runs.open.map((r) => r.p99)),
			gateway_check_overhead_pct: Math.round((1 - rpsChecked / rpsOpen) * 1000) / 10,
			gateway_file_bytes: file.bytes,
			gateway_verify_us: Math.round(cost.verify_us * 10) / 10,
			gateway_check_cached_us: Math.round(cost.cached_us * 10) / 10
		};
	} finally {
		for (const c of children) c.kill();
		await issuer.close();
		await rm(scratch, { recursive: true, force: true });
	}
}

/**
 * CPU time of the check alone, without HTTP (steadier than req/s on a shared machine):
 * RS256 verification + scope decision, and the same with the verified-token cache.
 */
async function checkCost(issuer: string, jwksUrl: string, token: string, manifest: Manifest, filePath: string) {
	const files = indexManifest(manifest);
	const time = async (verify: TokenVerifier, n: number) => {
		await verify(token);
		const t0 = performance.now();
		for (let i = 0; i < n; i++) {
			const access = await verify(token);
			if (!access || decideExtract(access, filePath, files).status !== 200) throw new Error('check failed');
		}
		return ((performance.now() - t0) * 1000) / n;
	};
	return {
		verify_us: await time(createTokenVerifier({ issuer, jwksUrl, cacheSize: 0 }), 2000),
		cached_us: await time(createTokenVerifier({ issuer, jwksUrl }), 20000)
	};
}

if (import.meta.main) {
	const i = process.argv.indexOf('--serve');
	if (i !== -1) {
		const server = await startGateway(JSON.parse(process.argv[i + 1]));
		const address = server.address();
		process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
		process.on('disconnect', () => process.exit(0));
	} else {
		const figures = await benchGateway({ log: (s) => process.stderr.write(`${s}\n`) });
		if (process.argv.includes('--json')) console.log(JSON.stringify(figures));
		else for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(28)} ${v}`);
	}
}
