/**
 * Lighthouse 12.2.3 on the logged-in home view, in Debian's Chromium (chrome-launcher with the
 * e2e flags). The session lives in the tab's sessionStorage, so the login happens in the same
 * tab Lighthouse then navigates (a Puppeteer page handed to Lighthouse), with storage reset
 * off; the HTTP cache is cleared first, so the engine and extracts are fetched again.
 * With `BENCH_LIGHTHOUSE_DIR` set, each run's full report (LHR JSON) is written there: its
 * `metrics` audit has the observed LCP, its `network-requests` audit the timings Lighthouse's
 * LCP simulation is built from (see docs/decisions/0034-lcp-and-lantern.md).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse, { desktopConfig } from 'lighthouse';
import puppeteer from 'puppeteer-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../tests/support/browser.ts';
import { driveLogin, loginStep } from './login.ts';

export interface LighthouseResult {
	/** 0–100 */
	performance: number;
	metrics: Record<string, number | null>;
}

const METRICS = ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index'];

/** One Lighthouse navigation (desktop preset) of `appUrl`, logged in as `fiscalCode` first (when given). */
export async function runLighthouse(opts: { appUrl: string; fiscalCode?: string }): Promise<LighthouseResult> {
	const userDataDir = await mkdtemp(path.join(tmpdir(), 'cruscotto-lighthouse-'));
	const chrome = await chromeLauncher.launch({ chromePath: CHROMIUM, chromeFlags: CHROMIUM_ARGS, userDataDir });
	try {
		const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}`, defaultViewport: null });
		const page = await browser.newPage();
		await page.goto(opts.appUrl);
		if (opts.fiscalCode) {
			const appOrigin = new URL(opts.appUrl).origin;
			await driveLogin((args) => page.evaluate(loginStep, args), { appOrigin, fiscalCode: opts.fiscalCode! });
			await page.waitForFunction(() => document.documentElement.dataset.ready === 'true', { timeout: 60_000 });
		}
		const cdp = await page.createCDPSession();
		await cdp.send('Network.clearBrowserCache');
		await cdp.detach();
		const result = await lighthouse(
			opts.appUrl,
			{ logLevel: 'error', output: 'json', onlyCategories: ['performance'], disableStorageReset: true },
			desktopConfig,
			page
		);
		await browser.disconnect();
		const lhr = result?.lhr;
		const dumpDir = process.env.BENCH_LIGHTHOUSE_DIR;
		if (dumpDir && lhr) await writeFile(path.join(dumpDir, `lighthouse-${Date.now()}.json`), JSON.stringify(lhr));
		const score = lhr?.categories.performance?.score;
		if (!lhr || score == null) {
			const errors = METRICS.map((id) => lhr?.audits[id]?.errorMessage).filter(Boolean);
			throw new Error(`Lighthouse gave no performance score: ${JSON.stringify(lhr?.runtimeError ?? errors)}`);
		}
		return {
			performance: Math.round(score * 100),
			metrics: Object.fromEntries(METRICS.map((id) => [id, lhr.audits[id]?.numericValue ?? null]))
		};
	} finally {
		chrome.kill();
		await rm(userDataDir, { recursive: true, force: true });
	}
}
