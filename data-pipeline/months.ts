/** Month arithmetic on `YYYY-MM` strings (the pipeline's unit of time). */

export const FIRST_MONTH = '2019-04';

const RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** True when `s` is a well-formed `YYYY-MM`. */
export function isMonth(s: string): boolean {
	return RE.test(s);
}

/** Months since year 0, for arithmetic. */
export function monthIndex(m: string): number {
	const match = RE.exec(m);
	if (!match) throw new Error(`Invalid month ${JSON.stringify(m)} (expected YYYY-MM)`);
	return Number(match[1]) * 12 + Number(match[2]) - 1;
}

/** The month `n` months after `m`. */
export function addMonths(m: string, n: number): string {
	const i = monthIndex(m) + n;
	return `${String(Math.floor(i / 12)).padStart(4, '0')}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** Every month from `from` to `to` inclusive. */
export function monthRange(from: string, to: string): string[] {
	const out: string[] = [];
	for (let i = monthIndex(from); i <= monthIndex(to); i++) out.push(addMonths('0000-01', i));
	return out;
}

/** The last complete month at `now` (the month before the current one, UTC). */
export function lastCompleteMonth(now = new Date()): string {
	const current = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
	return addMonths(current, -1);
}

/*
 * Days since 1970-01-01: how a Parquet DATE holds a month's first day (the extracts' `month`,
 * their row-group statistics, the writer's and reader's columns).
 */
const DAY_MS = 86_400_000;

/** The day of month `m`'s first day. */
export function dayOfMonth(m: string): number {
	const i = monthIndex(m);
	return Date.UTC(Math.floor(i / 12), i % 12, 1) / DAY_MS;
}

/** `YYYY-MM-DD` of day `d`. */
export function dateOfDay(d: number): string {
	return new Date(d * DAY_MS).toISOString().slice(0, 10);
}

/** The month (`YYYY-MM`) of day `d`. */
export function monthOfDay(d: number): string {
	return dateOfDay(d).slice(0, 7);
}
