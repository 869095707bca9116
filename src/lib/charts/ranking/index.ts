/** The ranking chart (top/bottom N, the territory in view marked) and its pure helpers. */
export { default as Ranking } from './Ranking.svelte';
export * from './ranking-utils.ts';
