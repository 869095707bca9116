/** The app's one session, bound to the browser (sessionStorage, location, /config.json). */
import { Auth } from './Auth.svelte.ts';
import { fetchConfigJson, normalizeConfig } from './config.ts';
import { forgetStoredData } from '#lib/data/stored.ts';

let configJson: Promise<unknown> | null = null;
/** `/config.json`, fetched once per page: the OIDC settings, and what else the gateway puts there (the data version). */
export const appConfig = (): Promise<unknown> =>
	(configJson ??= fetchConfigJson().catch((e: unknown) => {
		configJson = null;
		throw e;
	}));

/** The session state (reactive): `status`, `user`, `error`. */
export const auth = new Auth({
	loadConfig: () => appConfig().then(normalizeConfig),
	storage: () => sessionStorage,
	origin: () => location.origin,
	here: () => location.pathname + location.search,
	// an office computer is shared: a logout leaves no extract behind (decision 0013)
	forgetData: () => forgetStoredData()
});

/** Reads the stored session; call once from the root layout. */
export const initAuth = (): Promise<void> => auth.init();
/** Redirects to the provider; `returnTo` defaults to the current path and query. */
export const login = (returnTo?: string): Promise<void> => auth.login(returnTo);
/** On /auth/callback: finishes the code flow and returns the URL to go back to. */
export const completeLogin = (): Promise<string> => auth.completeLogin();
/** Ends the session here and at the provider. */
export const logout = (): Promise<void> => auth.logout();
/** A valid access token (renewed when near expiry); throws NotLoggedInError when logged out. */
export const getAccessToken = (): Promise<string> => auth.getAccessToken();
