/**
 * The session: an oidc-client-ts UserManager (authorization code + PKCE, public client)
 * behind a small runes class. Settings come from `/config.json` at run time, so the same
 * build works against any standard OIDC provider.
 */
import { UserManager, WebStorageStateStore, type User as OidcUser } from 'oidc-client-ts';
import type { AuthConfig } from './config.ts';
import { StaleCallbackError, isStaleCallback } from './callback-errors.ts';
import { safeReturnTo } from './return-to.ts';
import { userFromClaims, type User } from './user.ts';

export type AuthStatus = 'loading' | 'anonymous' | 'authenticated' | 'error';

/** Renew this many seconds before the access token expires. */
const RENEW_MARGIN_S = 30;

export interface AuthDeps {
	loadConfig: () => Promise<AuthConfig>;
	/** Where tokens live: per tab, cleared when the tab closes. */
	storage: () => Storage;
	origin: () => string;
	/** The current path + query, where the user returns after a login. */
	here: () => string;
	/** Forgets what the browser kept of the user's data (Cache API, HTTP cache), before a logout leaves. */
	forgetData?: () => Promise<void>;
}

interface LoginState {
	returnTo: string;
}

/** Thrown by `getAccessToken` when nobody is signed in. */
export class NotLoggedInError extends Error {
	override name = 'NotLoggedInError';
}

export class Auth {
	#status = $state<AuthStatus>('loading');
	#user = $state<User | null>(null);
	#error = $state<string | null>(null);
	#manager: Promise<UserManager> | null = null;
	#init: Promise<void> | null = null;
	#renewing: Promise<OidcUser | null> | null = null;
	#deps: AuthDeps;

	constructor(deps: AuthDeps) {
		this.#deps = deps;
	}

	get status(): AuthStatus {
		return this.#status;
	}
	get user(): User | null {
		return this.#user;
	}
	get error(): string | null {
		return this.#error;
	}

	/** Reads the stored session, if any (once; later calls share the first). */
	init(): Promise<void> {
		this.#init ??= this.#readStored();
		return this.#init;
	}

	async #readStored(): Promise<void> {
		try {
			const manager = await this.#getManager();
			const stored = await manager.getUser();
			// The callback route may have signed the user in meanwhile: never undo that.
			if (this.#status !== 'loading') return;
			if (stored && !stored.expired) this.#accept(stored);
			else if (stored?.refresh_token) await this.#renew(manager);
			else this.#setAnonymous();
		} catch (error) {
			if (this.#status === 'loading') this.#fail(error);
		}
	}

	/** Redirects to the provider; after the login the app returns to `returnTo`. */
	async login(returnTo = this.#deps.here()): Promise<void> {
		const manager = await this.#getManager();
		const state: LoginState = { returnTo: safeReturnTo(returnTo) };
		await manager.signinRedirect({ state });
	}

	/**
	 * Finishes the code flow on the callback route; returns where the user should go. Throws
	 * StaleCallbackError when the route was opened with no login under way.
	 */
	async completeLogin(): Promise<string> {
		try {
			const manager = await this.#getManager();
			const signedIn = await manager.signinRedirectCallback();
			this.#accept(signedIn);
			return safeReturnTo((signedIn.state as LoginState | undefined)?.returnTo ?? '/');
		} catch (error) {
			if (isStaleCallback(error)) {
				// No login under way (the callback opened again): the stored session, if any, decides.
				await this.init();
				throw new StaleCallbackError({ cause: error });
			}
			this.#fail(error);
			throw error;
		}
	}

	/** Forgets the local session and ends the provider's session (RP-initiated logout). */
	async logout(): Promise<void> {
		const manager = await this.#getManager();
		const stored = await manager.getUser();
		await manager.removeUser();
		this.#setAnonymous();
		await this.#deps.forgetData?.();
		await manager.signoutRedirect({ id_token_hint: stored?.id_token });
	}

	/** A valid access token, renewed first when it is about to expire. */
	async getAccessToken(): Promise<string> {
		const manager = await this.#getManager();
		const stored = await manager.getUser();
		if (!stored) throw new NotLoggedInError('Not logged in');
		if ((stored.expires_in ?? 0) > RENEW_MARGIN_S) return stored.access_token;
		const renewed = await this.#renew(manager);
		if (!renewed) throw new NotLoggedInError('Session expired');
		return renewed.access_token;
	}

	/**
	 * Silent renewal (refresh token); on failure the session ends and the user is anonymous.
	 * One renewal at a time: refresh tokens rotate, and the provider revokes the whole grant
	 * when a used one is presented again, so parallel callers share the same attempt.
	 */
	#renew(manager: UserManager): Promise<OidcUser | null> {
		this.#renewing ??= manager
			.signinSilent()
			.then(
				(renewed) => {
					if (renewed) this.#accept(renewed);
					return renewed;
				},
				async () => {
					await manager.removeUser();
					this.#setAnonymous('La sessione è scaduta: accedi di nuovo.');
					return null;
				}
			)
			.finally(() => (this.#renewing = null));
		return this.#renewing;
	}

	#getManager(): Promise<UserManager> {
		this.#manager ??= this.#deps.loadConfig().then((config) => this.#createManager(config));
		this.#manager.catch(() => (this.#manager = null));
		return this.#manager;
	}

	#createManager(config: AuthConfig): UserManager {
		const origin = this.#deps.origin();
		const manager = new UserManager({
			authority: config.issuer,
			client_id: config.client_id,
			redirect_uri: `${origin}/auth/callback`,
			post_logout_redirect_uri: `${origin}/`,
			response_type: 'code',
			scope: config.scopes,
			// RFC 8707 indicators are absolute URIs; a plain audience is the provider's default.
			resource: URL.canParse(config.audience) ? config.audience : undefined,
			loadUserInfo: false,
			// Renewal runs through #renew (deduplicated), not oidc-client-ts's own timer.
			automaticSilentRenew: false,
			accessTokenExpiringNotificationTimeInSeconds: RENEW_MARGIN_S,
			userStore: new WebStorageStateStore({ store: this.#deps.storage() }),
			stateStore: new WebStorageStateStore({ store: this.#deps.storage() })
		});
		manager.events.addUserLoaded((u) => this.#accept(u));
		manager.events.addUserSignedOut(() => this.#setAnonymous());
		manager.events.addAccessTokenExpiring(() => void this.#renew(manager));
		return manager;
	}

	#accept(oidcUser: OidcUser): void {
		const user = userFromClaims(oidcUser.profile as Record<string, unknown>);
		if (!user) {
			this.#fail(new Error('Il token non contiene un accreditamento valido.'));
			return;
		}
		this.#user = user;
		this.#error = null;
		this.#status = 'authenticated';
	}

	#setAnonymous(message: string | null = null): void {
		this.#user = null;
		this.#error = message;
		this.#status = 'anonymous';
	}

	#fail(error: unknown): void {
		this.#user = null;
		this.#error = error instanceof Error ? error.message : String(error);
		this.#status = 'error';
	}
}
