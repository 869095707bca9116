/**
 * The oidc-provider configuration: one public client (the app), code + PKCE, JWT access
 * tokens for the gateway's audience (resource indicators), refresh tokens that die with the
 * provider session, and claims read from the accreditation registry at every token.
 */
import Provider, { errors } from 'oidc-provider';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { FISCAL_NUMBER_CLAIM } from '#contracts';
import type { IdpSecrets } from './keys.ts';
import { errorPage, loggedOutPage, logoutPage } from './pages.ts';
import { lookup, type RegistryEntry } from './registry.ts';

export interface ProviderOptions {
	issuer: string;
	registryFile: string;
	secrets: IdpSecrets;
	/** Origins the app is served from: each gets `/auth/callback` and `/` registered. */
	appOrigins: string[];
	clientId: string;
	/** The `aud` of access tokens: what the gateway checks. */
	audience: string;
	/** Lifetime of access and ID tokens, seconds. */
	accessTokenTTL: number;
}

/** The scope that, at the gateway's resource server, means "may read extracts". */
export const RESOURCE_SCOPE = 'cruscotto';

/** RFC 8707 wants an absolute URI as indicator; a plain audience gets a URN around it. */
export function resourceIndicator(audience: string): string {
	return URL.canParse(audience) ? audience : `urn:cruscotto:audience:${audience}`;
}

/** The claims Cruscotto reads, from a confirmed registry entry. */
export function claimsOf(entry: RegistryEntry): Record<string, unknown> {
	return {
		[FISCAL_NUMBER_CLAIM]: `TINIT-${entry.fiscal_code}`,
		name: entry.name,
		family_name: entry.family_name,
		role: entry.role,
		territories: entry.territories
	};
}

/** Builds the provider (not yet listening). */
export function createProvider(opts: ProviderOptions): Provider {
	const indicator = resourceIndicator(opts.audience);
	const confirmed = async (sub: string) => {
		const entry = await lookup(opts.registryFile, sub);
		return entry?.status === 'confirmed' ? entry : null;
	};

	const configuration: Configuration = {
		clients: [
			{
				client_id: opts.clientId,
				client_name: 'Cruscotto',
				token_endpoint_auth_method: 'none',
				application_type: 'web',
				grant_types: ['authorization_code', 'refresh_token'],
				response_types: ['code'],
				redirect_uris: opts.appOrigins.map((o) => `${o}/auth/callback`),
				post_logout_redirect_uris: opts.appOrigins.map((o) => `${o}/`)
			}
		],
		jwks: opts.secrets.jwks,
		cookies: { keys: opts.secrets.cookieKeys },
		claims: { openid: ['sub'], profile: ['name', 'family_name', FISCAL_NUMBER_CLAIM, 'role', 'territories'] },
		// The access token is for the gateway (not userinfo): the app reads the claims from the ID token.
		conformIdTokenClaims: false,
		clientBasedCORS: (_ctx, origin) => opts.appOrigins.includes(origin),
		pkce: { required: () => true },
		ttl: {
			AccessToken: opts.accessTokenTTL,
			IdToken: opts.accessTokenTTL,
			AuthorizationCode: 60,
			Interaction: 600,
			Session: 8 * 3600,
			Grant: 8 * 3600,
			RefreshToken: 8 * 3600
		},
		// Public client: refresh tokens rotate and, lacking offline_access, end with the session.
		issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
		features: {
			devInteractions: { enabled: false },
			revocation: { enabled: true },
			resourceIndicators: {
				enabled: true,
				defaultResource: async () => indicator,
				useGrantedResource: async () => true,
				getResourceServerInfo: async (_ctx, resource) => {
					if (resource !== indicator) throw new errors.InvalidTarget();
					return {
						scope: RESOURCE_SCOPE,
						audience: opts.audience,
						accessTokenFormat: 'jwt',
						accessTokenTTL: opts.accessTokenTTL,
						jwt: { sign: { alg: 'RS256' } }
					};
				}
			},
			rpInitiatedLogout: {
				enabled: true,
				logoutSource: async (ctx, form) => void (ctx.body = logoutPage(form)),
				postLogoutSuccessSource: async (ctx) => void (ctx.body = loggedOutPage())
			}
		},
		interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
		// Unconfirmed (pending, revoked, unknown) accounts do not exist for the token endpoint:
		// a revocation makes the next code exchange or refresh fail.
		findAccount: async (_ctx, sub) => {
			const entry = await confirmed(sub);
			if (!entry) return undefined;
			return { accountId: entry.fiscal_code, claims: async () => ({ sub: entry.fiscal_code, ...claimsOf(entry) }) };
		},
		extraTokenClaims: async (_ctx, token) => {
			if (!token.accountId) return undefined;
			const entry = await confirmed(token.accountId);
			return entry ? claimsOf(entry) : undefined;
		},
		renderError: async (ctx: KoaContextWithOIDC, out) => {
			ctx.type = 'html';
			ctx.body = errorPage(String(out.error), out.error_description === undefined ? undefined : String(out.error_description), `${opts.appOrigins[0]}/`);
		}
	};
	const provider = new Provider(opts.issuer, configuration);
	provider.proxy = false;
	return provider;
}
