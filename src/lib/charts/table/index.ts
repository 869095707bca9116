/** The comparison table: sortable (suppressed last), searchable, with selection. */
export { default as ComparisonTable } from './ComparisonTable.svelte';
export * from './table-utils.ts';
