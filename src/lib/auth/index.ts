/** The app's login: the public surface of `src/lib/auth` (OIDC code + PKCE via oidc-client-ts). */
export { auth, appConfig, initAuth, login, completeLogin, logout, getAccessToken } from './session.ts';
export type { User } from './user.ts';
export { ROLE_LABELS } from './user.ts';
export type { AuthConfig } from './config.ts';
export { NotLoggedInError, type AuthStatus } from './Auth.svelte.ts';
export { onCallbackRoute, whenCallbackRoute } from './callback-hooks.ts';
export { StaleCallbackError } from './callback-errors.ts';
export { territoryLabel } from './territory-label.ts';
export { default as UserMenu } from './UserMenu.svelte';
