/** The choropleth map (d3-geo) and its pure helpers. */
export { default as ChoroplethMap, prepareMap } from './ChoroplethMap.svelte';
export * from './map-utils.ts';
