/** The `<html data-ready="true">` hook: set once the first view's numbers are on screen. */
import { tick } from 'svelte';

/** Marks the page ready after the DOM shows what was just rendered. */
export async function markReady(): Promise<void> {
	await tick();
	document.documentElement.setAttribute('data-ready', 'true');
}
