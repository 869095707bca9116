/** Territory ids (DESIGN.md "Territories"): `it`, `r:RR`, `p:PPP`, `a:CODE`, `c:CCCCCC`. */

export type TerritoryLevel = 'italia' | 'regione' | 'provincia' | 'ats' | 'comune';

/** A territory id string such as `r:05`, `a:T05015` or `c:028001`. */
export type TerritoryId = string;

const PATTERNS: Record<TerritoryLevel, RegExp> = {
	italia: /^it$/,
	regione: /^r:\d{2}$/,
	provincia: /^p:\d{3}$/,
	// ISTAT's ATS codes look like T + region + 3 digits; synthetic ones use X instead of T.
	ats: /^a:[A-Z0-9]{2,12}$/,
	comune: /^c:\d{6}$/
};

/** The level of a territory id, or null when the string is not a valid id. */
export function levelOf(id: string): TerritoryLevel | null {
	for (const [level, re] of Object.entries(PATTERNS) as [TerritoryLevel, RegExp][]) {
		if (re.test(id)) return level;
	}
	return null;
}

/** True when `id` is a well-formed territory id. */
export function isTerritoryId(id: unknown): id is TerritoryId {
	return typeof id === 'string' && levelOf(id) !== null;
}

/** The code after the prefix: `r:05` → `05`, `it` → `it`. */
export function codeOf(id: TerritoryId): string {
	return id === 'it' ? 'it' : id.slice(2);
}

/** Builds an id from a level and a code. */
export function territoryId(level: TerritoryLevel, code: string): TerritoryId {
	if (level === 'italia') return 'it';
	const prefix = { regione: 'r', provincia: 'p', ats: 'a', comune: 'c' }[level];
	const id = `${prefix}:${code}`;
	if (!PATTERNS[level].test(id)) throw new Error(`Invalid ${level} code: ${JSON.stringify(code)}`);
	return id;
}
