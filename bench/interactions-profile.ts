/**
 * `node bench/interactions-profile.ts [--runs N] [--no-build] [--trace] [--unminified]`: the
 * scripted interactions of the benchmark (bench/interactions.ts) alone, N fresh sessions of the
 * Regione user, per-step times (median over runs), and with --trace a Chromium trace of every
 * step summarised as main-thread time by kind (script, style, layout, paint) and the busiest
 * script functions. `--unminified` builds a copy without minification (names readable in the
 * profile; times a little higher). `--baseline DIR[,DIR…]` alternates runs with other builds of the
 * app (same stack, same minutes of machine load) and prints both columns. `--extracts DIR` runs
 * on a published folder (e.g. the full-scale history) instead of the demo at scale 0.05; `--out DIR`
 * builds this app into DIR (not the shared var/bench/app). A tool for finding where an interaction's time goes
 * (docs/decisions/0041-interactions-p95.md); `npm run bench` gives the figure.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser } from '../tests/support/browser.ts';
import { installRecorder, runSession } from './browser.ts';
import { runInteractions } from './interactions.ts';
import { buildAppCopy, ensureBenchData } from './data.ts';
import { startBenchStack, BENCH_REGIONE_CF } from './stack.ts';
import { median, quantile } from './stats.ts';

const { values } = parseArgs({
	options: {
		runs: { type: 'string', default: '3' },
		'no-build': { type: 'boolean', default: false },
		trace: { type: 'boolean', default: false },
		/** Print the page's User Timing measures of each step (queries, engine calls, URL writes). */
		marks: { type: 'boolean', default: false },
		/** With --trace: JS samples too (the sampler's interrupts cost main-thread time of their own). */
		js: { type: 'boolean', default: false },
		unminified: { type: 'boolean', default: false },
		top: { type: 'string', default: '8' },
		/** A built app to compare with (e.g. the last commit's, built elsewhere): runs alternate between the two. */
		baseline: { type: 'string' },
		/** A published extracts folder (e.g. a full-scale history) instead of the demo at scale 0.05. */
		extracts: { type: 'string' },
		/** Build this app into DIR (its own SvelteKit dir) instead of the shared var/bench/app. */
		out: { type: 'string' }
	}
});
const log = (s: string) => process.stderr.write(`[ia] ${s}\n`);

interface TraceEvent {
	name: string;
	ph: string;
	ts: number;
	dur?: number;
	/** Thread (CPU) time, µs: what the step cost whatever the machine's load. */
	tdur?: number;
	pid: number;
	tid: number;
	id?: string;
	args?: Record<string, any>;
}

/** Main-thread self time per event name, worker busy time, and JS self time per function. */
function summarise(events: TraceEvent[], top: number, cpu: { main: number; worker: number }): string {
	const names = new Map<string, string>();
	for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, String(e.args?.name));
	const mark = events.find((e) => e.name === 'bench:step');
	const main = mark ? `${mark.pid}:${mark.tid}` : [...names].find(([, n]) => n === 'CrRendererMain')?.[0];
	const xs = events.filter((e) => e.ph === 'X' && e.dur !== undefined && `${e.pid}:${e.tid}` === main).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
	// Self time: each event's duration less its direct children's.
	const self = new Map<string, number>();
	const stack: TraceEvent[] = [];
	const childTime = new Map<TraceEvent, number>();
	for (const e of xs) {
		while (stack.length && stack.at(-1)!.ts + stack.at(-1)!.dur! <= e.ts) stack.pop();
		const parent = stack.at(-1);
		if (parent) childTime.set(parent, (childTime.get(parent) ?? 0) + e.dur!);
		stack.push(e);
	}
	for (const e of xs) self.set(e.name, (self.get(e.name) ?? 0) + (e.dur! - (childTime.get(e) ?? 0)) / 1000);
	const busy = new Map<string, number>();
	for (const e of events) {
		if (e.name !== 'RunTask' || !e.tdur) continue;
		const th = names.get(`${e.pid}:${e.tid}`) ?? '?';
		busy.set(th, (busy.get(th) ?? 0) + e.tdur / 1000);
	}
	cpu.main = busy.get('CrRendererMain') ?? 0;
	cpu.worker = busy.get('DedicatedWorker thread') ?? 0;
	// JS samples of the main thread.
	const profileThread = new Map<string, string>();
	for (const e of events) if (e.name === 'Profile') profileThread.set(String(e.id), `${e.pid}:${e.tid}`);
	const nodes = new Map<string, { fn: string; parent?: number }>();
	const fnSelf = new Map<string, number>();
	for (const e of events) {
		if (e.name !== 'ProfileChunk' || profileThread.get(String(e.id)) !== main) continue;
		const p = e.args?.data?.cpuProfile ?? {};
		for (const n of p.nodes ?? []) {
			const cf = n.callFrame ?? {};
			nodes.set(`${e.id}:${n.id}`, { fn: `${cf.functionName || '(anon)'} ${String(cf.url ?? '').split('/').pop()}:${cf.lineNumber ?? ''}`, parent: n.parent });
		}
		const deltas: number[] = e.args?.data?.timeDeltas ?? [];
		(p.samples ?? []).forEach((id: number, i: number) => {
			const fn = nodes.get(`${e.id}:${id}`)?.fn ?? '?';
			fnSelf.set(fn, (fnSelf.get(fn) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0) / 1000);
		});
	}
	const fmt = (m: Map<string, number>, n: number) =>
		[...m]
			.filter(([k]) => !/^\(idle\)|^\(program\)/.test(k))
			.sort((a, b) => b[1] - a[1])
			.slice(0, n)
			.map(([k, v]) => `${v.toFixed(1)} ${k}`)
			.join(' | ');
	return `    cpu: ${fmt(busy, 4)}\n    main self: ${fmt(self, top)}\n    js self: ${fmt(fnSelf, top)}`;
}

/**
 * The main thread from the step's start (its `bench:step` mark) to the painted frame: each
 * task with its time by kind (script, style, layout, paint…), so what lies between the last
 * DOM change and the paint is visible.
 */
/** Main-thread CPU ms of the last step window (thread time: what the step cost whatever the load). */
let windowCpu = 0;
/** The DuckDB worker's CPU ms in the last step window. */
let windowWorker = 0;

function stepWindow(events: TraceEvent[], ms: number): string {
	const names = new Map<string, string>();
	for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, String(e.args?.name));
	const mark = events.find((e) => e.name === 'bench:step');
	if (!mark) return '    window: no bench:step mark in the trace';
	// The page's main thread (other renderers, e.g. the identity provider's, have one too).
	const main = `${mark.pid}:${mark.tid}`;
	const [t0, t1] = [mark.ts, mark.ts + ms * 1000];
	const xs = events.filter((e) => e.ph === 'X' && e.dur !== undefined && `${e.pid}:${e.tid}` === main && e.ts + e.dur! > t0 && e.ts < t1).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
	const kind = (n: string) =>
		/^(FunctionCall|EvaluateScript|RunMicrotasks|V8\.|v8\.|TimerFire|FireAnimationFrame|EventDispatch|MinorGC|MajorGC)/.test(n) ? 'js' : /UpdateLayoutTree|RecalcStyle|ParseAuthorStyleSheet/.test(n) ? 'style' : /^Layout|UpdateLayerTree|IntersectionObserver/.test(n) ? 'layout' : /Paint|Layerize|Commit|Raster|CompositeLayers/.test(n) ? 'paint' : 'other';
	const tasks: string[] = [];
	let cpu = 0;
	const total = new Map<string, number>();
	let end = -1;
	for (const e of xs) {
		// Top-level events only (a task, or work the scheduler does not wrap in one, e.g. a mojo message).
		if (e.ts < end) continue;
		end = e.ts + e.dur!;
		cpu += (e.tdur ?? 0) / 1000;
		const inner = xs.filter((c) => c !== e && c.ts >= e.ts && c.ts + c.dur! <= end);
		// Self time per kind inside the task.
		const by = new Map<string, number>();
		const stack: TraceEvent[] = [];
		const child = new Map<TraceEvent, number>();
		for (const c of inner) {
			while (stack.length && stack.at(-1)!.ts + stack.at(-1)!.dur! <= c.ts) stack.pop();
			const parent = stack.at(-1);
			if (parent) child.set(parent, (child.get(parent) ?? 0) + c.dur!);
			stack.push(c);
		}
		for (const c of inner) {
			const k = kind(c.name);
			const v = (c.dur! - (child.get(c) ?? 0)) / 1000;
			by.set(k, (by.get(k) ?? 0) + v);
			total.set(k, (total.get(k) ?? 0) + v);
		}
		if (e.dur! < 1000) continue;
		const parts = [...by].filter(([, v]) => v >= 0.5).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(' ');
		tasks.push(`@${((e.ts - t0) / 1000).toFixed(0)}+${(e.dur! / 1000).toFixed(0)} (${parts})`);
	}
	const sum = [...total].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(' ');
	// The DuckDB worker's CPU inside the window (its tasks' thread time, prorated where they straddle
	// an end): work done ahead that runs during the step takes a core from the main thread.
	let worker = 0;
	const workerTop = new Map<string, number>();
	const onWorker = events.filter((e) => e.ph === 'X' && e.tdur && e.dur && names.get(`${e.pid}:${e.tid}`) === 'DedicatedWorker thread').sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
	for (const e of onWorker) {
		// Top-level events only (a task and what it contains are counted once).
		const th = `${e.pid}:${e.tid}`;
		if (e.ts < (workerTop.get(th) ?? -1)) continue;
		workerTop.set(th, e.ts + e.dur!);
		const overlap = Math.min(e.ts + e.dur!, t1) - Math.max(e.ts, t0);
		if (overlap > 0) worker += ((e.tdur! / 1000) * overlap) / e.dur!;
	}
	windowWorker = worker;
	// JS samples inside the window (with --js): self and inclusive time per function.
	const profiles = new Map<string, number>();
	for (const e of events) if (e.name === 'Profile' && `${e.pid}:${e.tid}` === main) profiles.set(String(e.id), Number(e.args?.data?.startTime ?? e.ts));
	const nodes = new Map<string, { fn: string; parent?: number }>();
	const selfMs = new Map<string, number>();
	const inclMs = new Map<string, number>();
	const clock = new Map<string, number>();
	for (const e of events) {
		if (e.name !== 'ProfileChunk' || !profiles.has(String(e.id))) continue;
		const p = e.args?.data?.cpuProfile ?? {};
		for (const n of p.nodes ?? []) {
			const cf = n.callFrame ?? {};
			nodes.set(`${e.id}:${n.id}`, { fn: `${cf.functionName || '(anon)'} ${String(cf.url ?? '').split('/').pop()}:${cf.lineNumber ?? ''}`, parent: n.parent });
		}
		const deltas: number[] = e.args?.data?.timeDeltas ?? [];
		let t = clock.get(String(e.id)) ?? profiles.get(String(e.id))!;
		(p.samples ?? []).forEach((id: number, i: number) => {
			t += deltas[i] ?? 0;
			const dt = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000;
			if (t < t0 || t > t1) return;
			const leaf = nodes.get(`${e.id}:${id}`);
			if (!leaf || /^\((idle|program)\)/.test(leaf.fn)) return;
			selfMs.set(leaf.fn, (selfMs.get(leaf.fn) ?? 0) + dt);
			const seen = new Set<string>();
			for (let n: { fn: string; parent?: number } | undefined = leaf; n; n = n.parent === undefined ? undefined : nodes.get(`${e.id}:${n.parent}`)) {
				if (seen.has(n.fn)) continue;
				seen.add(n.fn);
				inclMs.set(n.fn, (inclMs.get(n.fn) ?? 0) + dt);
			}
		});
		clock.set(String(e.id), t);
	}
	const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${v.toFixed(1)} ${k}`).join(' | ');
	const js = selfMs.size ? `\n    js self (window): ${top(selfMs, 20)}\n    js incl (window): ${top(inclMs, 40)}` : '';
	windowCpu = cpu;
	// Requests the page made in the window (a route's code, data): a step can wait on the network.
	const requests = events
		.filter((e) => e.name === 'ResourceSendRequest' && e.ts >= t0 && e.ts <= t1)
		.map((e) => `@${((e.ts - t0) / 1000).toFixed(0)} ${String(e.args?.data?.url ?? '').split('/').slice(-2).join('/')}`);
	if (requests.length) tasks.push(`| requests: ${requests.join(' ')}`);
	return `    window ${ms.toFixed(0)} ms (main thread CPU ${cpu.toFixed(1)}, worker CPU ${worker.toFixed(1)}): ${sum}\n    tasks: ${tasks.join(' ')}${js}`;
}

async function main(): Promise<void> {
	const data = await ensureBenchData({ scale: 0.05, extractsDir: values.extracts, regione: 'r:03', log });
	let appDir: string;
	if (values.unminified || values.out) {
		appDir = path.resolve(values.out ?? path.join('var', 'bench', 'app-unminified'));
		if (!values['no-build']) {
			log(`building ${values.unminified ? 'an unminified copy' : 'the app'} into ${appDir}…`);
			execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', ...(values.unminified ? ['--minify', 'false'] : []), '--logLevel', 'warn'], {
				stdio: ['ignore', 'ignore', 'inherit'],
				env: { ...process.env, CRUSCOTTO_BUILD_DIR: appDir, CRUSCOTTO_KIT_DIR: `${appDir}.svelte-kit` }
			});
		}
	} else appDir = await buildAppCopy({ rebuild: !values['no-build'], log });
	const apps = [appDir, ...(values.baseline?.split(',').map((d) => path.resolve(d)) ?? [])];
	const label = (i: number) => (i === 0 ? 'this build' : apps.length > 2 ? `baseline ${i}` : 'baseline');
	const stacks = [];
	for (const dir of apps) stacks.push(await startBenchStack({ appDir: dir, extractsDir: data.extractsDir, varDir: data.varDir, regione: data.regione, ats: data.ats }));
	const per = apps.map(() => new Map<string, number[]>());
	const all: number[][] = apps.map(() => []);
	/** Main thread + DuckDB worker CPU ms per step (with --trace). */
	const cpuOf = apps.map(() => new Map<string, number[]>());
	const workerOf = apps.map(() => new Map<string, number[]>());
	try {
		for (let k = 0; k < Number(values.runs) * apps.length; k++) {
			const which = k % apps.length;
			const run = Math.floor(k / apps.length);
			const stack = stacks[which];
			const browser = await launchBrowser();
			try {
				await installRecorder(browser.context);
				browser.context.on('weberror', (e) => log(`page error: ${e.error().message}`));
				const { page } = await runSession(browser.context, { appUrl: stack.appURL + '/', fiscalCode: BENCH_REGIONE_CF });
				const cdp = values.trace ? await browser.context.newCDPSession(page) : null;
				let events: TraceEvent[] = [];
				cdp?.on('Tracing.dataCollected', (d) => void events.push(...(d.value as unknown as TraceEvent[])));
				const out = await runInteractions(page, stack.appURL, () => undefined, {
					before: async () => {
						events = [];
						await cdp?.send('Tracing.start', {
							categories: `devtools.timeline,blink.user_timing,toplevel,v8.execute${values.js ? ',disabled-by-default-devtools.timeline,disabled-by-default-v8.cpu_profiler' : ''}`,
							transferMode: 'ReportEvents'
						});
						// The renderer starts recording a little after the call returns.
						if (cdp) await new Promise((r) => setTimeout(r, 150));
					},
					after: async (name, t) => {
						if (values.marks) {
							const marks = await page.evaluate(() => {
								const w = window as unknown as { __iaSeen?: number; __benchStart: number; __benchLast: number; __benchPainted: number; __benchRecord?: MutationRecord };
								const since = w.__iaSeen ?? 0;
								const es = performance.getEntriesByType('measure').filter((e) => e.startTime > since && /^(cruscotto|engine)/.test(e.name));
								w.__iaSeen = performance.now();
								// Offsets from the step's start; and what the last DOM change was.
								const t0 = w.__benchStart;
								const r = w.__benchRecord;
								const el = r ? (r.target instanceof Element ? r.target : r.target.parentElement) : null;
								const what = r && el ? `${r.type} ${r.attributeName ?? ''} <${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : ''}>` : '?';
								const last = `last ${(w.__benchLast - t0).toFixed(0)} painted ${(w.__benchPainted - t0).toFixed(0)}: ${what}`;
								return [last, ...es.map((e) => `${(e.startTime - t0).toFixed(0)}+${e.duration.toFixed(0)} ${e.name.slice(0, 60)}`)];
							});
							process.stdout.write(`  ${label(which)} ${name}: ${t ? t.ms.toFixed(1) : '–'} ms | ${marks.join(' | ')}\n`);
						}
						if (!cdp) return;
						const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
						await cdp.send('Tracing.end');
						await done;
						const c = { main: 0, worker: 0 };
						const text = summarise(events, Number(values.top), c) + '\n' + stepWindow(events, t?.ms ?? 0);
						cpuOf[which].set(name, [...(cpuOf[which].get(name) ?? []), windowCpu]);
						workerOf[which].set(name, [...(workerOf[which].get(name) ?? []), windowWorker]);
						process.stdout.write(`  ${label(which)} ${name}: ${t ? t.ms.toFixed(1) : '–'} ms\n${text}\n`);
					}
				});
				for (const o of out) {
					per[which].set(o.name, [...(per[which].get(o.name) ?? []), o.ms]);
					all[which].push(o.ms);
				}
				log(`${label(which)} run ${run + 1}: p95 ${quantile(out.map((o) => o.ms), 0.95)?.toFixed(1)} median ${median(out.map((o) => o.ms))?.toFixed(1)}`);
			} finally {
				await browser.close();
			}
		}
	} finally {
		for (const s of stacks) await s.close();
	}
	if (values.trace) {
		process.stdout.write(`main-thread CPU ms from the step's start to its paint, median (then the DuckDB worker's CPU ms in the same window):\n`);
		const col = (of: Map<string, number[]>[], name: string) => of.map((c) => median(c.get(name) ?? [])?.toFixed(1).padStart(7)).join(' ');
		for (const name of cpuOf[0].keys()) process.stdout.write(`${name.padEnd(26)} ${col(cpuOf, name)}   | ${col(workerOf, name)}\n`);
	}
	const cell = (ms: number[] | undefined) => (ms ? `${median(ms)!.toFixed(1).padStart(7)} [${ms.map((v) => v.toFixed(0)).join(' ')}]` : '–').padEnd(30);
	process.stdout.write(`${'step'.padEnd(26)} ${'this build (median [runs])'.padEnd(30)} ${apps.slice(1).map((_, i) => label(i + 1).padEnd(30)).join(' ')}\n`);
	for (const name of per[0].keys()) process.stdout.write(`${name.padEnd(26)} ${cell(per[0].get(name))} ${per.slice(1).map((p) => cell(p.get(name))).join(' ')}\n`);
	all.forEach((xs, i) => process.stdout.write(`${label(i)}: p95 ${quantile(xs, 0.95)?.toFixed(1)} median ${median(xs)?.toFixed(1)} (${xs.length} step times)\n`));
}

main().catch((error: unknown) => {
	process.stderr.write(`interactions-profile: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});
