/** Only same-origin paths: a crafted `state` or `?returnTo=` must not send the user to another site. */
export function safeReturnTo(value: string): string {
	return value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : '/';
}
