/**
 * The code of every view, loaded in idle time once a view is on screen: the first visit of
 * another view then does not wait for its module (a click gives SvelteKit no hover to preload
 * on, nor does a keyboard user's Enter).
 */
import { preloadCode } from '$app/navigation';

const VIEWS = ['/', '/andamento', '/caratteristiche', '/confronto'] as const;
let started = false;

/** Starts loading the views' code when the page is next idle (once per page). */
export function preloadViews(): void {
	if (started) return;
	started = true;
	const idle = (fn: () => void) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(fn, { timeout: 2000 }) : setTimeout(fn, 500));
	idle(() => {
		for (const view of VIEWS) void preloadCode(view).catch(() => undefined);
	});
}
