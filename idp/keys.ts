/**
 * Signing keys and cookie secrets, generated at first start into a directory outside the
 * served files and reused afterwards (so tokens survive a restart).
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A private JWK as oidc-provider wants it. */
export type PrivateJwk = Record<string, string>;

export interface IdpSecrets {
	jwks: { keys: PrivateJwk[] };
	cookieKeys: string[];
}

/** Reads `<dir>/secrets.json`, creating it (mode 0600) when absent. */
export async function loadOrCreateSecrets(dir: string): Promise<IdpSecrets> {
	const file = path.join(dir, 'secrets.json');
	try {
		return JSON.parse(await readFile(file, 'utf8')) as IdpSecrets;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
	}
	const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
	const jwk = { ...(privateKey.export({ format: 'jwk' }) as PrivateJwk), kid: randomUUID(), alg: 'RS256', use: 'sig' };
	const secrets: IdpSecrets = { jwks: { keys: [jwk] }, cookieKeys: [randomBytes(32).toString('base64url')] };
	await mkdir(dir, { recursive: true, mode: 0o700 });
	const tmp = `${file}.${process.pid}.tmp`;
	await writeFile(tmp, JSON.stringify(secrets, null, '\t'), { mode: 0o600 });
	await rename(tmp, file);
	return secrets;
}
