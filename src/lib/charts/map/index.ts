/** The choropleth map (d3-geo) and its pure helpers. */
export { default as ChoroplethMap, prepareMap } from './ChoroplethMap.svelte';
export { idleSteps } from './idle-steps.ts';
export * from './map-utils.ts';
