/**
 * What this browser keeps of the data between visits, and how a logout forgets it: the
 * extracts and summaries in the Cache API (`CACHE_NAME`, extracts.ts), the last published
 * version seen (localStorage, data/session.ts), and the HTTP cache of the extracts
 * (`private, max-age=31536000, immutable`), which only a `Clear-Site-Data` response header can
 * empty: the gateway sends one on `/auth/clear` (docs/decisions/0013, logout on shared computers).
 */

/** The Cache API cache holding extract and summary bytes, by sha256. */
export const CACHE_NAME = 'cruscotto-extracts-v1';
/** localStorage key: the last published version this browser read a manifest of. */
export const SEEN_VERSION = 'cruscotto:data-version';
/** The gateway's path whose response clears the origin's HTTP cache. */
export const CLEAR_PATH = '/auth/clear';

/**
 * Forgets the data this browser kept for the user (on logout: an office computer is shared).
 * Never throws and never waits more than `timeoutMs`: a logout must not hang on it.
 */
export async function forgetStoredData(timeoutMs = 2000): Promise<void> {
	try {
		if (typeof localStorage !== 'undefined') localStorage.removeItem(SEEN_VERSION);
	} catch {
		// storage disabled: nothing kept there
	}
	const work = Promise.allSettled([
		typeof caches === 'undefined' ? null : caches.delete(CACHE_NAME),
		typeof fetch === 'undefined' ? null : fetch(CLEAR_PATH, { cache: 'no-store', credentials: 'same-origin' })
	]);
	await Promise.race([work, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
}
