// topojson-simplify ships no types; the three functions the pipeline uses.
declare module 'topojson-simplify' {
	export function presimplify(topology: object, weight?: unknown): object;
	export function quantile(topology: object, p: number): number;
	export function simplify(topology: object, minWeight?: number): object;
}
