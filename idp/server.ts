/**
 * The local identity provider's HTTP server: oidc-provider plus the interaction pages
 * (login, accreditation status, automatic consent for the first-party app).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import type { InteractionDetails } from 'oidc-provider';
import { isValidFiscalCode } from './fiscal-code.ts';
import { loadOrCreateSecrets } from './keys.ts';
import { errorPage, loginPage, statusPage, type ListedIdentity } from './pages.ts';
import { createProvider } from './provider.ts';
import { lookup, normalizeFiscalCode } from './registry.ts';

export interface IdpOptions {
	/** Accreditation registry export (JSON array), read at every login and token. */
	registryFile: string;
	/** Where signing keys and cookie secrets are kept (created at first start). */
	keysDir: string;
	/** Origins the app is served from (e.g. `http://localhost:4173`). */
	appOrigins: string[];
	/** 0 picks a free port. */
	port?: number;
	host?: string;
	/** Host name in the issuer URL (default: `host`). */
	publicHost?: string;
	clientId?: string;
	audience?: string;
	/** Access and ID token lifetime in seconds (default 300). */
	accessTokenTTL?: number;
	/** Identities shown on the login page (the demo's; never a real registry). */
	listed?: ListedIdentity[];
}

export interface RunningIdp {
	issuer: string;
	clientId: string;
	audience: string;
	provider: Provider;
	close(): Promise<void>;
}

export const DEFAULT_CLIENT_ID = 'cruscotto';
export const DEFAULT_AUDIENCE = 'cruscotto-extracts';

const PAGE_HEADERS = {
	'content-type': 'text/html; charset=utf-8',
	'cache-control': 'no-store',
	'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
	'x-content-type-options': 'nosniff'
};

/** Starts the provider; its issuer is `http://<publicHost>:<port>`. */
export async function startIdp(opts: IdpOptions): Promise<RunningIdp> {
	const host = opts.host ?? '127.0.0.1';
	const server = http.createServer();
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(opts.port ?? 0, host, resolve);
	});
	const { port } = server.address() as AddressInfo;
	const issuer = `http://${opts.publicHost ?? host}:${port}`;
	const clientId = opts.clientId ?? DEFAULT_CLIENT_ID;
	const audience = opts.audience ?? DEFAULT_AUDIENCE;
	const provider = createProvider({
		issuer,
		registryFile: opts.registryFile,
		secrets: await loadOrCreateSecrets(opts.keysDir),
		appOrigins: opts.appOrigins,
		clientId,
		audience,
		accessTokenTTL: opts.accessTokenTTL ?? 300
	});
	const oidc = provider.callback();
	const listedIdentities = opts.listed ?? [];

	server.on('request', (req, res) => {
		const match = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec(new URL(req.url ?? '/', issuer).pathname);
		if (!match) return oidc(req, res);
		interaction(provider, req, res, match[1], match[2] !== undefined).catch((error: unknown) => {
			if (res.headersSent) return res.end();
			const name = error instanceof Error ? error.name : 'error';
			res.writeHead(400, PAGE_HEADERS).end(errorPage(name, error instanceof Error ? error.message : undefined, `${opts.appOrigins[0]}/`));
		});
	});

	async function interaction(p: Provider, req: http.IncomingMessage, res: http.ServerResponse, uid: string, isLogin: boolean) {
		const details = await p.interactionDetails(req, res);
		if (details.uid !== uid) throw new Error('interaction mismatch');
		const action = `/interaction/${uid}/login`;
		if (isLogin && req.method === 'POST') {
			const form = new URLSearchParams(await readBody(req));
			const fiscalCode = normalizeFiscalCode(form.get('fiscal_code') ?? '');
			if (!isValidFiscalCode(fiscalCode)) {
				res.writeHead(400, PAGE_HEADERS).end(loginPage(action, listedIdentities, `«${fiscalCode}» non è un codice fiscale valido.`));
				return;
			}
			const entry = await lookup(opts.registryFile, fiscalCode);
			if (!entry) {
				const message = `Il codice fiscale ${fiscalCode} non risulta accreditato al cruscotto.`;
				res.writeHead(403, PAGE_HEADERS).end(loginPage(action, listedIdentities, message));
				return;
			}
			if (entry.status !== 'confirmed') {
				res.writeHead(403, PAGE_HEADERS).end(statusPage(entry.status, `${entry.name} ${entry.family_name}`, `/interaction/${uid}`));
				return;
			}
			await p.interactionFinished(req, res, { login: { accountId: entry.fiscal_code } }, { mergeWithLastSubmission: false });
			return;
		}
		if (req.method !== 'GET') {
			res.writeHead(405, { allow: 'GET' }).end();
			return;
		}
		if (details.prompt.name === 'login') {
			res.writeHead(200, PAGE_HEADERS).end(loginPage(action, listedIdentities));
			return;
		}
		if (details.prompt.name === 'consent') {
			// The app is the organisation's own client: consent is implied by the login.
			const grantId = await autoConsent(p, details);
			await p.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
			return;
		}
		throw new Error(`unexpected prompt ${details.prompt.name}`);
	}

	return {
		issuer,
		clientId,
		audience,
		provider,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			})
	};
}

async function autoConsent(p: Provider, details: InteractionDetails): Promise<string> {
	const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details as {
		missingOIDCScope?: string[];
		missingOIDCClaims?: string[];
		missingResourceScopes?: Record<string, string[]>;
	};
	const accountId = details.session?.accountId;
	if (!accountId) throw new Error('consent without a login');
	const grant =
		(details.grantId ? await p.Grant.find(details.grantId) : undefined) ??
		new p.Grant({ accountId, clientId: String(details.params.client_id) });
	if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
	if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
	for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
	return grant.save();
}

async function readBody(req: http.IncomingMessage, limit = 4096): Promise<string> {
	let body = '';
	for await (const chunk of req) {
		body += chunk;
		if (body.length > limit) throw new Error('request body too large');
	}
	return body;
}
