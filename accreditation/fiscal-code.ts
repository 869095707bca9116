/**
 * Codici fiscali: format (with omocodia: digits replaced by L–V letters), check character,
 * and a final check by `codice-fiscale-js`, which also decodes the date of birth.
 */
import lib from 'codice-fiscale-js';

const { CodiceFiscale } = lib as unknown as {
	CodiceFiscale: { check(cf: string): boolean; getCheckCode(first15: string): string };
};

// Omocodia: any of the 7 digit positions may carry a letter L–V standing for 0–9.
const D = '[0-9LMNPQRSTUV]';
const FORMAT = new RegExp(`^[A-Z]{6}${D}{2}[ABCDEHLMPRST]${D}{2}[A-Z]${D}{3}[A-Z]$`);

export type FiscalCodeResult = { ok: true; value: string } | { ok: false; error: string };

/** Upper-cases and strips spaces and an optional SPID `TINIT-` prefix. */
export function normalizeFiscalCode(raw: string): string {
	return raw.replace(/\s+/g, '').toUpperCase().replace(/^TINIT-/, '');
}

/** Validates a personal codice fiscale; the error says what is wrong, in English. */
export function validateFiscalCode(raw: string): FiscalCodeResult {
	const value = normalizeFiscalCode(raw ?? '');
	if (value === '') return { ok: false, error: 'codice fiscale is empty' };
	if (value.length !== 16) return { ok: false, error: `codice fiscale ${JSON.stringify(value)} has ${value.length} characters, not 16` };
	if (!FORMAT.test(value)) return { ok: false, error: `codice fiscale ${JSON.stringify(value)} is not in the format AAAAAA00A00A000A` };
	const expected = CodiceFiscale.getCheckCode(value.slice(0, 15));
	if (expected !== value[15]) {
		return { ok: false, error: `codice fiscale ${JSON.stringify(value)} has check character ${value[15]}, expected ${expected}` };
	}
	if (!CodiceFiscale.check(value)) return { ok: false, error: `codice fiscale ${JSON.stringify(value)} is not valid (date of birth or place code)` };
	return { ok: true, value };
}
