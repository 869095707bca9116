/** Codice fiscale checks (format, check character, omocodia) via codice-fiscale-js. */
import * as cfModule from 'codice-fiscale-js';

// The package's CommonJS build exports `{ CodiceFiscale }` while its types declare a default
// export: take the class from whichever shape the loader produced.
type CodiceFiscaleClass = typeof import('codice-fiscale-js').default;
const loaded = cfModule as unknown as { CodiceFiscale?: CodiceFiscaleClass; default?: CodiceFiscaleClass | { CodiceFiscale: CodiceFiscaleClass } };
const CodiceFiscale: CodiceFiscaleClass =
	loaded.CodiceFiscale ?? (loaded.default && 'CodiceFiscale' in loaded.default ? loaded.default.CodiceFiscale : (loaded.default as CodiceFiscaleClass));

/** True when `value` is a well-formed codice fiscale with the right check character. */
export function isValidFiscalCode(value: string): boolean {
	return /^[A-Z0-9]{16}$/.test(value) && CodiceFiscale.check(value);
}
