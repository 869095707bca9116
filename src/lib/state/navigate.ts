/** Changes the view state in the URL (a history entry, so Back undoes it). */
import { goto } from '$app/navigation';
import { page } from '$app/state';
import { hrefWith, type ParamPatch } from './view-state.ts';

/** Applies `patch` to the current URL's query; `replace` for changes not worth a Back step (typing in a search box). */
export function setParams(patch: ParamPatch, opts: { replace?: boolean; pathname?: string } = {}): Promise<void> {
	return goto(hrefWith(page.url, patch, opts.pathname), { reset: false, replace: opts.replace ?? false });
}
