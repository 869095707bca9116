/** Changes the view state in the URL (a history entry, so Back undoes it). */
import { hrefWith, type ParamPatch } from './view-state.ts';
import { navigateTo, viewUrl } from './view-url.svelte.ts';

/**
 * Applies `patch` to the current URL's query; `replace` for changes not worth a Back step (typing
 * in a search box); `defer` for views that read `viewUrl()`: the answer is drawn first and the
 * history entry written after that frame (view-url.svelte.ts).
 */
export function setParams(patch: ParamPatch, opts: { replace?: boolean; pathname?: string; defer?: boolean } = {}): Promise<void> {
	return navigateTo(hrefWith(viewUrl(), patch, opts.pathname), { replace: opts.replace ?? false, defer: opts.defer ?? false });
}
