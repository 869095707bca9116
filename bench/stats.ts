/** Order statistics for the benchmark's repeated runs. */

/** The median of the finite values, or null when there are none. */
export function median(values: readonly (number | null | undefined)[]): number | null {
	return quantile(values, 0.5);
}

/** The q-quantile (linear interpolation between closest ranks) of the finite values, or null. */
export function quantile(values: readonly (number | null | undefined)[], q: number): number | null {
	const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
	if (xs.length === 0) return null;
	const pos = (xs.length - 1) * q;
	const lo = Math.floor(pos);
	const hi = Math.ceil(pos);
	return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo);
}
