/**
 * `npm run token -- --as <codice fiscale>`: an access token for a test identity, obtained
 * through the real authorization-code flow (PKCE) of the running local provider.
 */
import { parseArgs } from 'node:util';
import { signIn } from '../idp/code-flow.ts';

const USAGE = `usage: npm run token -- --as <codice fiscale> [--issuer URL] [--app URL] [--client-id ID] [--json]
  --issuer     the provider (default http://localhost:$IDP_PORT, port 4174)
  --app        the app's origin, whose /auth/callback is registered (default http://localhost:$PORT, port 4173)
  --json       print the whole token response (access, ID and refresh tokens) as JSON`;

async function main() {
	const { values } = parseArgs({
		options: {
			as: { type: 'string' },
			issuer: { type: 'string', default: `http://localhost:${process.env.IDP_PORT ?? 4174}` },
			app: { type: 'string', default: `http://localhost:${process.env.PORT ?? 4173}` },
			'client-id': { type: 'string', default: 'cruscotto' },
			json: { type: 'boolean', default: false },
			help: { type: 'boolean', default: false }
		}
	});
	if (values.help) return void console.log(USAGE);
	if (!values.as) throw new Error(`--as is required\n${USAGE}`);
	const tokens = await signIn({
		issuer: values.issuer,
		clientId: values['client-id'],
		redirectUri: `${values.app.replace(/\/$/, '')}/auth/callback`,
		fiscalCode: values.as
	}).catch((error: unknown) => {
		const cause = (error as { cause?: { code?: string } }).cause;
		if (cause?.code === 'ECONNREFUSED') throw new Error(`no identity provider at ${values.issuer}: is \`npm start\` running?`);
		throw error;
	});
	console.log(values.json ? JSON.stringify(tokens, null, 2) : tokens.access_token);
}

main().catch((error: unknown) => {
	console.error(`token: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});
