/**
 * The URL the views draw from. A control change shows its answer first and writes the history
 * entry once the page is idle after that frame: SvelteKit's `goto` costs 10–40 ms on this machine (a
 * forced layout to save the scroll position, `pushState`, the page store update), which used
 * to stand between every choice and its answer. Between the change and its `goto`, `viewUrl()`
 * is ahead of `page.url`; after it they are the same URL. Back, links and any other navigation
 * move `page.url` to a URL this module did not ask for, and the views follow it again.
 * docs/decisions/0041-interactions-p95.md.
 */
import { goto } from '$app/navigation';
import { page } from '$app/state';

/** SvelteKit's read-only URL type: what the views already read. */
export type ViewUrl = typeof page.url;

/** The URL shown ahead of `page.url`, and the `page.url` it was computed from. */
let ahead = $state.raw<{ url: URL; from: string } | null>(null);
/** Hrefs of the `goto`s this module has started and not finished. */
const inflight = new Set<string>();
let flushing = false;

/** The view state's URL: `page.url`, or the one a control just chose while its history entry is being written. */
export function viewUrl(): ViewUrl {
	const a = ahead;
	if (!a) return page.url;
	const at = page.url.href;
	// Page.url moved to something this module did not ask for (Back, a link): it wins.
	return at === a.from || inflight.has(at) ? a.url : page.url;
}

/**
 * Goes to `href` (same page, another query): with `defer`, shows it now and writes the history
 * entry after the next painted frame; without, a plain `goto` (which drops any deferred change).
 */
export function navigateTo(href: string, opts: { replace: boolean; defer: boolean }): Promise<void> {
	if (!opts.defer) {
		ahead = null;
		return goto(href, { reset: false, replace: opts.replace });
	}
	const url = new URL(href, page.url.href);
	const from = ahead && (page.url.href === ahead.from || inflight.has(page.url.href)) ? ahead.from : page.url.href;
	ahead = { url, from };
	return new Promise((resolve, reject) => {
		afterPaint(() => void flush(url, opts).then(resolve, reject));
	});
}

/** Work whose answer the deferred history entry waits for (a view's query), see `holdHistory`. */
const held = new Set<Promise<unknown>>();

/**
 * Makes the next deferred history entry wait until `work` has settled and its answer has been
 * painted: a `goto` running when a query's answer arrives would keep that answer off the screen
 * for its 10–40 ms.
 */
export function holdHistory(work: Promise<unknown>): void {
	held.add(work);
	const done = () => held.delete(work);
	work.then(done, done);
}

const IDLE_TIMEOUT_MS = 250;

/**
 * Runs `fn` after the next frame (its style, layout and paint), once the page is idle: the
 * history entry is nothing the user waits for, so it neither delays that frame nor stands in
 * front of the tasks queued behind it (the next input, a query's answer). `IDLE_TIMEOUT_MS`
 * bounds the wait on a page that is never idle; without `requestIdleCallback` (Safari) it is
 * the next task.
 */
function afterPaint(fn: () => void): void {
	if (typeof requestAnimationFrame !== 'function') return void setTimeout(fn, 0);
	requestAnimationFrame(() => (typeof requestIdleCallback === 'function' ? requestIdleCallback(() => fn(), { timeout: IDLE_TIMEOUT_MS }) : setTimeout(fn, 0)));
}

async function flush(url: URL, opts: { replace: boolean }): Promise<void> {
	// A later change superseded this one: only the newest URL is written (one history entry).
	if (ahead?.url !== url || flushing) {
		if (flushing && ahead?.url === url) afterPaint(() => void flush(url, opts));
		return;
	}
	if (held.size > 0) {
		// Until the views' answers are on screen (bounded: a slow query does not hold the URL for long).
		await Promise.race([Promise.allSettled([...held]), new Promise((r) => setTimeout(r, 1000))]);
		await new Promise<void>((r) => afterPaint(r));
		if (ahead?.url !== url) return;
	}
	if (flushing) return void afterPaint(() => void flush(url, opts));
	flushing = true;
	const href = url.pathname + url.search;
	inflight.add(url.href);
	const start = performance.now();
	try {
		await goto(href, { reset: false, replace: opts.replace });
	} finally {
		performance.measure?.('cruscotto:url-write', { start });
		inflight.delete(url.href);
		flushing = false;
		if (ahead?.url === url) ahead = null;
		else if (ahead) ahead = { ...ahead, from: page.url.href };
	}
}
