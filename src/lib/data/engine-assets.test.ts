import { afterEach, describe, expect, test } from 'vitest';
import { BUNDLES, earlyEngineScript, startEarlyWorker, takeEarlyWorker, workerURL } from './engine-assets.ts';

/** A stand-in for the browser's Worker: records the URLs it was created with and whether it was stopped. */
class FakeWorker {
	static created: string[] = [];
	terminated = false;
	readonly url: string;
	constructor(url: string) {
		this.url = url;
		FakeWorker.created.push(url);
	}
	terminate() {
		this.terminated = true;
	}
}

/** Runs the inline script as the page would, at `href`; returns what it left on `window`. */
function runInline(href: string, paths: Parameters<typeof earlyEngineScript>[0]) {
	const window: Record<string, unknown> = {};
	new Function('location', 'Worker', 'window', earlyEngineScript(paths))(new URL(href), FakeWorker, window);
	return window.__cruscottoEngineWorker as { url: string; worker: FakeWorker } | undefined;
}

const g = globalThis as Record<string, unknown>;
afterEach(() => {
	FakeWorker.created = [];
	delete g.Worker;
	delete g.__cruscottoEngineWorker;
	takeEarlyWorker('none');
});

describe("the engine's early start from the page's inline script", () => {
	const paths = { engineWorker: '/_app/a/engine-worker.X.js', duckdbWorker: '/_app/a/duckdb-browser-eh.worker.Y.js', wasm: '/_app/a/duckdb-eh.Z.wasm' };
	const abs = (p: string) => new URL(p, 'http://127.0.0.1:5173/').href;

	test("on the login callback it starts the worker at the URL the app's own start would use (absolute, as Vite's ?url is in the browser)", () => {
		const found = runInline('http://127.0.0.1:5173/auth/callback?code=abc&state=def', paths);
		expect(found?.url).toBe(workerURL(abs(paths.engineWorker), abs(paths.duckdbWorker), abs(paths.wasm)));
		expect(FakeWorker.created).toEqual([found?.url]);
	});

	test('anywhere else it does nothing', () => {
		expect(runInline('http://127.0.0.1:5173/', paths)).toBeUndefined();
		expect(runInline('http://127.0.0.1:5173/confronto?t=r:03', paths)).toBeUndefined();
		expect(FakeWorker.created).toEqual([]);
	});

	test('the app takes the worker the inline script started, and stops one started for other files', () => {
		g.Worker = FakeWorker;
		const inline = new FakeWorker(BUNDLES.eh.mainWorker);
		g.__cruscottoEngineWorker = { url: BUNDLES.eh.mainWorker, worker: inline };
		startEarlyWorker();
		expect(takeEarlyWorker(BUNDLES.eh.mainWorker)).toBe(inline);
		expect(FakeWorker.created).toHaveLength(1);

		const stale = new FakeWorker('/old/engine-worker.js?duckdb=x&wasm=y');
		g.__cruscottoEngineWorker = { url: stale.url, worker: stale };
		startEarlyWorker();
		expect(stale.terminated).toBe(true);
		const own = takeEarlyWorker(BUNDLES.eh.mainWorker) as unknown as FakeWorker;
		expect(own.url).toBe(BUNDLES.eh.mainWorker);
	});
});
