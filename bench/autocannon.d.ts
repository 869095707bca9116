/** The part of autocannon 9's API the gateway benchmark uses (the package ships no types). */
declare module 'autocannon' {
	interface Options {
		url: string;
		headers?: Record<string, string>;
		duration?: number;
		connections?: number;
	}
	interface Histogram {
		average: number;
		p50: number;
		p99: number;
	}
	interface Result {
		requests: Histogram;
		latency: Histogram;
		non2xx: number;
		errors: number;
	}
	export default function autocannon(opts: Options): Promise<Result>;
}
