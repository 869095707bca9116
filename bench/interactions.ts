/**
 * The scripted interactions of a Regione user on Confronto and Andamento: change indicator,
 * measure and month, sort, pick Comuni, switch level, switch view. Each is timed inside the page
 * from the moment the control changes to the last DOM change it causes (no DOM change for
 * `QUIET_MS` ends it), so no cooperation from the views is needed.
 */
import type { Page } from 'playwright-core';

type Log = (s: string) => void;

export interface InteractionTime {
	name: string;
	ms: number;
	/** Of which in DuckDB queries (the views' `cruscotto:*-query` measures), when they set them. */
	queryMs: number;
}

/** What the page does for one step: change a labelled select, or click an element. */
export type Action = { select: string; option: number } | { click: string; nth?: number } | { link: string };

const QUIET_MS = 300;
const MAX_MS = 10_000;

/**
 * Installs the DOM observer in the current document (idempotent). Besides the last mutation it
 * records when the frame that shows it has been painted: a task queued from the next
 * animation frame runs after that frame's style, layout and paint, so a step ends when its
 * numbers are on screen, not when the DOM was last touched.
 */
async function installObserver(page: Page): Promise<void> {
	await page.evaluate(() => {
		const w = window as unknown as { __benchLast?: number; __benchPainted?: number; __benchRecord?: MutationRecord };
		if (w.__benchLast !== undefined) return;
		w.__benchLast = 0;
		w.__benchPainted = 0;
		let pending = false;
		const frame = () => {
			pending = true;
			requestAnimationFrame(() => {
				const frameStart = performance.now();
				setTimeout(() => {
					pending = false;
					// A mutation after this frame began is shown by a later frame.
					if ((w.__benchLast ?? 0) > frameStart) frame();
					else w.__benchPainted = performance.now();
				});
			});
		};
		new MutationObserver((records) => {
			w.__benchLast = performance.now();
			// What changed last (bench/interactions-profile.ts --marks says what it was).
			w.__benchRecord = records[records.length - 1];
			if (!pending) frame();
		}).observe(document.body, {
			subtree: true,
			childList: true,
			attributes: true,
			characterData: true
		});
	});
}

/**
 * Does `action` in the page and returns ms to the paint of the last DOM mutation it caused, or
 * null when the control is missing or nothing changed.
 */
export async function timeAction(page: Page, action: Action): Promise<{ ms: number; queryMs: number } | null> {
	await installObserver(page);
	const t0 = await page.evaluate((a: Action) => {
		const w = window as unknown as { __benchLast: number; __benchPainted: number; __benchStart: number };
		const labelled = (text: string) =>
			[...document.querySelectorAll('label')].find((l) => l.textContent?.trim().startsWith(text))?.querySelector('select') ?? null;
		w.__benchLast = 0;
		w.__benchPainted = 0;
		const start = performance.now();
		w.__benchStart = start;
		// For a trace of the step (bench/interactions-profile.ts --trace): where the step begins.
		performance.mark('bench:step');
		if ('select' in a) {
			const sel = labelled(a.select);
			if (!sel || sel.options.length === 0) return null;
			sel.selectedIndex = a.option % sel.options.length;
			sel.dispatchEvent(new Event('change', { bubbles: true }));
			return start;
		}
		const el =
			'link' in a
				? [...document.querySelectorAll<HTMLAnchorElement>('a')].find((x) => x.textContent?.trim() === a.link)
				: document.querySelectorAll<HTMLElement>(a.click)[a.nth ?? 0];
		if (!el) return null;
		el.click();
		return start;
	}, action);
	if (t0 === null) return null;
	const deadline = Date.now() + MAX_MS;
	for (;;) {
		await new Promise((r) => setTimeout(r, 50));
		// What the poll reads in the page is cheap and constant: it may run inside a slow step.
		const { last, painted, now, busy } = await page.evaluate(() => {
			const w = window as unknown as { __benchLast: number; __benchPainted: number };
			// A view that says it is still working (a query slower than QUIET_MS) is not done.
			const busy = document.querySelector('[aria-busy="true"]') !== null;
			return { last: w.__benchLast, painted: w.__benchPainted, now: performance.now(), busy };
		});
		const shown = painted >= last ? painted : 0;
		const done = last > 0 && ((shown > 0 && !busy && now - last >= QUIET_MS) || Date.now() > deadline);
		if (done) return { ms: (shown || last) - t0, queryMs: await queryTime(page, t0) };
		if (Date.now() > deadline) return null;
	}
}

/**
 * Ms of the step's DuckDB queries (the views' `cruscotto:*query` measures since `start`), read
 * once the step is over: the page's timeline grows through a session, and reading it in every
 * poll cost a slow step up to ~5 ms of its own main thread.
 */
function queryTime(page: Page, start: number): Promise<number> {
	return page.evaluate(
		(from) =>
			performance
				.getEntriesByType('measure')
				.filter((m) => /^cruscotto:.*query/.test(m.name) && m.startTime >= from)
				.reduce((s, m) => s + m.duration, 0),
		start
	);
}

/** The sequence (≥ 20 steps) on Confronto: indicator, measure, sort, select, month, ranking, level, drill, view; a step whose control is missing is logged and skipped. */
export const CONFRONTO: [string, Action][] = [
	['indicatore 2', { select: 'Indicatore', option: 1 }],
	['indicatore 3', { select: 'Indicatore', option: 2 }],
	['indicatore 4', { select: 'Indicatore', option: 3 }],
	['indicatore 1', { select: 'Indicatore', option: 0 }],
	['misura 2', { select: 'Misura', option: 1 }],
	['misura 3', { select: 'Misura', option: 2 }],
	['misura 4', { select: 'Misura', option: 3 }],
	['misura 1', { select: 'Misura', option: 0 }],
	['ordina nome', { click: '[data-sort-key="nome"]' }],
	['ordina residenti', { click: '[data-sort-key="residenti"]' }],
	['ordina valore', { click: '[data-sort-key="valore"]' }],
	['ordina tasso', { click: '[data-sort-key="tasso"]' }],
	['ordina tasso (inverso)', { click: '[data-sort-key="tasso"]' }],
	['seleziona comune 1', { click: 'tbody input[type=checkbox]', nth: 0 }],
	['seleziona comune 2', { click: 'tbody input[type=checkbox]', nth: 5 }],
	['seleziona comune 3', { click: 'tbody input[type=checkbox]', nth: 10 }],
	['seleziona comune 4', { click: 'tbody input[type=checkbox]', nth: 20 }],
	['mese precedente', { select: 'Mese', option: 1 }],
	['mese di un anno prima', { select: 'Mese', option: 12 }],
	['classifica bassa', { select: 'Classifica', option: 1 }],
	['confronta ATS', { select: 'Confronta', option: 1 }],
	// Drill-down: an ATS's own Confronto, then back to the Regione (Comuni) through the breadcrumb.
	['apri un ATS', { click: 'table[data-table="confronto"] tbody th a' }],
	['torna alla Regione', { click: 'nav[aria-label="Percorso territoriale"] a[data-territory-crumb]' }],
	['indicatore 5', { select: 'Indicatore', option: 4 }],
	['vista Andamento', { link: 'Andamento' }],
	['vista Confronto', { link: 'Confronto' }]
];

/** Goes to Confronto from the home view (client-side, through the app's navigation). */
async function openView(page: Page, appURL: string, path: string, label: string): Promise<void> {
	const link = page.getByRole('link', { name: label, exact: true }).first();
	if (await link.count()) await link.click();
	else await page.goto(appURL + path);
	await page.waitForURL((u) => u.pathname === path, { timeout: 30_000 });
}

/** Called around each step (bench/interactions-profile.ts starts and stops a trace there). */
export interface StepHooks {
	before?(name: string): Promise<void>;
	after?(name: string, t: { ms: number; queryMs: number } | null): Promise<void>;
}

/** Runs the scripted sequence; returns each step's time. */
export async function runInteractions(page: Page, appURL: string, log: Log, hooks: StepHooks = {}): Promise<InteractionTime[]> {
	const out: InteractionTime[] = [];
	await openView(page, appURL, '/confronto', 'Confronto');
	// Confronto's table (other tables sit in closed <details>): its rows have checkboxes.
	await page.waitForSelector('tbody input[type=checkbox]', { state: 'attached', timeout: 60_000 });
	await new Promise((r) => setTimeout(r, 500));
	for (const [name, action] of CONFRONTO) {
		await hooks.before?.(name);
		const t = await timeAction(page, action);
		await hooks.after?.(name, t);
		log(`interaction ${name}: ${t === null ? 'skipped (control missing or no change)' : `${t.ms.toFixed(1)} ms (queries ${t.queryMs.toFixed(1)} ms)`}`);
		if (t !== null) out.push({ name, ...t });
	}
	return out;
}
