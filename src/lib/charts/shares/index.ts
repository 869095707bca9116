export { default as SharesChart } from './SharesChart.svelte';
export * from './shares-utils.ts';
