// oidc-provider ships no type declarations (and @types/oidc-provider lags the major): these
// cover only what idp/ uses.
declare module 'oidc-provider' {
	import type { IncomingMessage, ServerResponse } from 'node:http';

	export interface KoaContextWithOIDC {
		body: unknown;
		type: string;
		status: number;
		oidc: { client?: { clientId: string }; params?: Record<string, unknown> };
	}

	export interface ClientLike {
		clientId: string;
		grantTypeAllowed(type: string): boolean;
	}

	export interface TokenLike {
		accountId?: string;
		clientId?: string;
	}

	export interface Account {
		accountId: string;
		claims(use: string, scope: string): Promise<Record<string, unknown>>;
	}

	export interface ResourceServerInfo {
		scope: string;
		audience?: string;
		accessTokenFormat?: 'jwt' | 'opaque';
		accessTokenTTL?: number;
		jwt?: { sign?: { alg: string } };
	}

	export interface Configuration {
		clients?: Record<string, unknown>[];
		jwks?: { keys: Record<string, string>[] };
		cookies?: { keys?: string[] };
		claims?: Record<string, string[]>;
		conformIdTokenClaims?: boolean;
		clientBasedCORS?: (ctx: KoaContextWithOIDC, origin: string, client: ClientLike) => boolean;
		pkce?: { required?: (ctx: KoaContextWithOIDC, client: ClientLike) => boolean };
		ttl?: Record<string, number>;
		issueRefreshToken?: (ctx: KoaContextWithOIDC, client: ClientLike, code: unknown) => Promise<boolean>;
		features?: {
			devInteractions?: { enabled: boolean };
			revocation?: { enabled: boolean };
			resourceIndicators?: {
				enabled: boolean;
				defaultResource?: (ctx: KoaContextWithOIDC, client: ClientLike, oneOf?: string[]) => Promise<string | string[] | undefined>;
				useGrantedResource?: (ctx: KoaContextWithOIDC, model: unknown) => Promise<boolean>;
				getResourceServerInfo?: (ctx: KoaContextWithOIDC, resource: string, client: ClientLike) => Promise<ResourceServerInfo>;
			};
			rpInitiatedLogout?: {
				enabled: boolean;
				logoutSource?: (ctx: KoaContextWithOIDC, form: string) => Promise<void>;
				postLogoutSuccessSource?: (ctx: KoaContextWithOIDC) => Promise<void>;
			};
		};
		interactions?: { url?: (ctx: KoaContextWithOIDC, interaction: { uid: string }) => Promise<string> };
		findAccount?: (ctx: KoaContextWithOIDC, sub: string, token?: TokenLike) => Promise<Account | undefined>;
		extraTokenClaims?: (ctx: KoaContextWithOIDC, token: TokenLike) => Promise<Record<string, unknown> | undefined>;
		renderError?: (ctx: KoaContextWithOIDC, out: Record<string, unknown>, error: Error) => Promise<void>;
	}

	export interface InteractionDetails {
		uid: string;
		prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
		params: Record<string, unknown>;
		session?: { accountId: string };
		grantId?: string;
	}

	export interface InteractionResults {
		login?: { accountId: string };
		consent?: { grantId: string };
		error?: string;
		error_description?: string;
	}

	export class Grant {
		constructor(init: { accountId: string; clientId: string });
		addOIDCScope(scope: string): void;
		addOIDCClaims(claims: string[]): void;
		addResourceScope(resource: string, scope: string): void;
		save(): Promise<string>;
		static find(id: string): Promise<Grant | undefined>;
	}

	export const errors: { InvalidTarget: new (description?: string) => Error };

	export default class Provider {
		constructor(issuer: string, configuration: Configuration);
		readonly issuer: string;
		proxy: boolean;
		readonly Grant: typeof Grant;
		callback(): (req: IncomingMessage, res: ServerResponse) => void;
		interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
		interactionFinished(
			req: IncomingMessage,
			res: ServerResponse,
			result: InteractionResults,
			options?: { mergeWithLastSubmission?: boolean }
		): Promise<void>;
		on(event: string, listener: (...args: unknown[]) => void): this;
	}
}
