export { default as LineChart } from './LineChart.svelte';
export * from './line-utils.ts';
