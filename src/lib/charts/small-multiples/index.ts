/** Small multiples of monthly series (shared or per-panel y scale) and their pure helpers. */
export { default as SmallMultiples } from './SmallMultiples.svelte';
export * from './small-multiples-utils.ts';
