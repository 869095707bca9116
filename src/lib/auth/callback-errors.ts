/** The login callback opened when no login is under way: a reload, a bookmark, Back to it. */

/** What oidc-client-ts throws then: no `state` in the URL, or one it no longer holds (already used). */
const STALE = new Set(['No state in response', 'No matching state found in storage']);

/** True when `error` is oidc-client-ts saying the callback URL belongs to no login under way. */
export function isStaleCallback(error: unknown): boolean {
	return error instanceof Error && STALE.has(error.message);
}

export const STALE_CALLBACK_MESSAGE =
	"Questo link di accesso non è più valido: è già stato usato, oppure la pagina è stata ricaricata o aperta da un segnalibro.";

/** The callback had no login to complete; the session stored before, if any, stands. */
export class StaleCallbackError extends Error {
	override name = 'StaleCallbackError';
	constructor(options?: { cause?: unknown }) {
		super(STALE_CALLBACK_MESSAGE, options);
	}
}
