/** The OIDC settings the app reads at run time from `/config.json` (served by the gateway). */

export interface AuthConfig {
	/** The provider's issuer URL (discovery at `<issuer>/.well-known/openid-configuration`). */
	issuer: string;
	client_id: string;
	/** The gateway's audience, sent as the `resource` indicator (RFC 8707). */
	audience: string;
	/** Space-separated scopes, e.g. `openid profile cruscotto offline_access`. */
	scopes: string;
}

/** Turns untyped JSON into an AuthConfig, or throws naming the bad field. */
export function normalizeConfig(raw: unknown): AuthConfig {
	const obj = (raw ?? {}) as Record<string, unknown>;
	const field = (name: keyof AuthConfig): string => {
		const value = obj[name];
		if (typeof value !== 'string' || value.trim() === '') {
			throw new Error(`config.json: "${name}" must be a non-empty string`);
		}
		return value.trim();
	};
	const config = { issuer: field('issuer'), client_id: field('client_id'), audience: field('audience'), scopes: field('scopes') };
	if (!config.scopes.split(/\s+/).includes('openid')) throw new Error('config.json: "scopes" must include openid');
	return config;
}

/** Fetches and validates `/config.json`. */
export async function fetchConfig(fetchFn: typeof fetch = fetch, url = '/config.json'): Promise<AuthConfig> {
	return normalizeConfig(await fetchConfigJson(fetchFn, url));
}

/** `/config.json` as sent (it may carry more than the OIDC settings, e.g. the published data version). */
export async function fetchConfigJson(fetchFn: typeof fetch = fetch, url = '/config.json'): Promise<unknown> {
	const res = await fetchFn(url, { cache: 'no-cache' });
	if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
	return res.json();
}
