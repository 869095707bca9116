/** Changes the view state in the URL (a history entry, so Back undoes it). */
import { page } from '$app/state';
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

/**
 * Call from an effect once the view knows the month it shows (`shown`, from data loaded for the
 * territory in view): a `mese` in the URL that differs (a month the measure was not paid, or
 * malformed) is replaced by `shown` without a history entry, so a shared link opens what is on
 * screen. While a control's history entry is still being written it waits for it (a replace
 * now would take that entry's place, and Back would skip the change).
 */
export function followShownMonth(shown: string | null): void {
	const url = viewUrl();
	const asked = url.searchParams.get('mese');
	if (asked === null || shown === null || asked === shown || url !== page.url) return;
	void setParams({ mese: shown }, { replace: true });
}
