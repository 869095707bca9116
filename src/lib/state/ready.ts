/** The `<html data-ready="true">` hook: set once the first view's numbers are on screen. */
import { tick } from 'svelte';

let resolveReady: () => void = () => undefined;
const ready = new Promise<void>((resolve) => (resolveReady = resolve));

/** Marks the page ready after the DOM shows what was just rendered. */
export async function markReady(): Promise<void> {
	await tick();
	document.documentElement.setAttribute('data-ready', 'true');
	// What waits for the first view starts after its frame is painted, not in the same task.
	if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => setTimeout(resolveReady, 0));
	else resolveReady();
}

/** Resolves once the first view is painted (`markReady`), or after `timeoutMs` when it never is (an error). */
export function whenReady(timeoutMs = 3000): Promise<void> {
	return Promise.race([ready, new Promise<void>((resolve) => setTimeout(resolve, timeoutMs))]);
}
