/**
 * An HTTP client that signs in through the provider's real authorization-code flow with
 * PKCE, as a browser would: it opens the login page, fills "Codice fiscale", presses
 * "Entra" and exchanges the code. For `npm run token` and tests; works against this provider.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface CodeFlowOptions {
	issuer: string;
	clientId: string;
	redirectUri: string;
	fiscalCode: string;
	scope?: string;
}

export interface TokenSet {
	access_token: string;
	id_token: string;
	refresh_token?: string;
	expires_in: number;
	token_type: string;
	scope?: string;
}

/** Raised when the provider refuses the login (unknown, pending or revoked accreditation). */
export class LoginRefusedError extends Error {
	override name = 'LoginRefusedError';
	readonly status: number;
	constructor(message: string, status: number) {
		super(message);
		this.status = status;
	}
}

const b64url = (buf: Buffer) => buf.toString('base64url');

/** Runs the whole flow and returns the token endpoint's response. */
export async function signIn(opts: CodeFlowOptions): Promise<TokenSet> {
	const discovery = (await (await fetch(new URL('/.well-known/openid-configuration', opts.issuer))).json()) as {
		authorization_endpoint: string;
		token_endpoint: string;
	};
	const verifier = b64url(randomBytes(32));
	const state = b64url(randomBytes(16));
	const auth = new URL(discovery.authorization_endpoint);
	for (const [k, v] of Object.entries({
		client_id: opts.clientId,
		response_type: 'code',
		redirect_uri: opts.redirectUri,
		scope: opts.scope ?? 'openid profile cruscotto',
		state,
		nonce: b64url(randomBytes(16)),
		code_challenge: b64url(createHash('sha256').update(verifier).digest()),
		code_challenge_method: 'S256'
	})) {
		auth.searchParams.set(k, v);
	}
	const jar = new Map<string, string>();
	let res = await follow(auth.href, jar, opts.redirectUri);
	const html = await res.text();
	const form = findLoginForm(html);
	if (!form) throw new Error(`no "Codice fiscale" form with an "Entra" button at ${res.url}`);
	res = await follow(new URL(form.action, res.url).href, jar, opts.redirectUri, {
		method: 'POST',
		body: new URLSearchParams({ [form.field]: opts.fiscalCode }).toString()
	});
	if (!res.url.startsWith(opts.redirectUri)) {
		const text = (await res.text()).replace(/<[^>]+>/g, ' ');
		const heading = /Accreditamento [a-z ]+|non risulta accreditato|non è un codice fiscale valido/.exec(text)?.[0] ?? `HTTP ${res.status}`;
		throw new LoginRefusedError(`login refused for ${opts.fiscalCode}: ${heading}`, res.status);
	}
	const callback = new URL(res.url);
	if (callback.searchParams.get('state') !== state) throw new Error('state mismatch in the callback');
	const code = callback.searchParams.get('code');
	if (!code) throw new Error(`no code in the callback: ${callback.searchParams.get('error_description') ?? callback.search}`);
	const tokenRes = await fetch(discovery.token_endpoint, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({
			grant_type: 'authorization_code',
			code,
			redirect_uri: opts.redirectUri,
			client_id: opts.clientId,
			code_verifier: verifier
		})
	});
	const body = (await tokenRes.json()) as TokenSet & { error?: string; error_description?: string };
	if (!tokenRes.ok) throw new Error(`token endpoint: ${body.error}: ${body.error_description ?? ''}`);
	return body;
}

/** The refresh-token grant (what the app's silent renewal does). */
export async function refresh(issuer: string, clientId: string, refreshToken: string): Promise<TokenSet> {
	const res = await fetch(new URL('/token', issuer), {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId })
	});
	const body = (await res.json()) as TokenSet & { error?: string; error_description?: string };
	if (!res.ok) throw new Error(`refresh refused: ${body.error}: ${body.error_description ?? ''}`);
	return body;
}

/** Follows redirects by hand (keeping cookies) and stops at the first page or at the app's redirect URI. */
async function follow(url: string, jar: Map<string, string>, stopAt: string, init: { method?: string; body?: string } = {}) {
	let next = url;
	let method = init.method ?? 'GET';
	let body = init.body;
	for (let hop = 0; hop < 20; hop++) {
		if (next.startsWith(stopAt)) return { url: next, status: 302, text: async () => '' };
		const res = await fetch(next, {
			method,
			body,
			redirect: 'manual',
			headers: {
				cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
				...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {})
			}
		});
		for (const line of res.headers.getSetCookie()) {
			const [pair] = line.split(';');
			const eq = pair.indexOf('=');
			const value = pair.slice(eq + 1);
			if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(pair.slice(0, eq));
			else jar.set(pair.slice(0, eq), value);
		}
		const location = res.headers.get('location');
		if (res.status < 300 || res.status >= 400 || !location) return { url: next, status: res.status, text: () => res.text() };
		next = new URL(location, next).href;
		method = 'GET';
		body = undefined;
	}
	throw new Error('too many redirects');
}

/** The form whose field is labelled "Codice fiscale" and whose button says "Entra". */
export function findLoginForm(html: string): { action: string; field: string } | null {
	for (const [, attrs, inner] of html.matchAll(/<form([^>]*)>([\s\S]*?)<\/form>/g)) {
		const label = /<label[^>]*for="([^"]+)"[^>]*>\s*Codice fiscale\s*<\/label>/.exec(inner);
		if (!label || !/<button[^>]*>\s*Entra\s*<\/button>/.test(inner)) continue;
		const input = new RegExp(`<input[^>]*id="${label[1]}"[^>]*>`).exec(inner)?.[0];
		const field = input && /name="([^"]+)"/.exec(input)?.[1];
		const action = /action="([^"]+)"/.exec(attrs)?.[1];
		if (field && action) return { action: action.replaceAll('&#38;', '&'), field };
	}
	return null;
}
