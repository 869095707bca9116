/**
 * Only same-origin paths: a crafted `state` or `?returnTo=` must not send the user to another site.
 * URL parsers drop tabs and newlines and read `\` as `/` (`/<TAB>/evil.example` is `//evil.example`),
 * so any control character or backslash is refused, and what is left must resolve on this origin.
 */
export function safeReturnTo(value: string): string {
	// eslint-disable-next-line no-control-regex
	if (!value.startsWith('/') || value.startsWith('//') || /[\u0000-\u001f\u007f\\]/.test(value)) return '/';
	const base = 'http://origin.invalid';
	const url = new URL(value, base);
	return url.origin === base ? url.pathname + url.search + url.hash : '/';
}
