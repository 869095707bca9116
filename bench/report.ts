/** The benchmark's figures: the JSON keys the issue fixes, the targets, and the printed table. */

export type Figures = Record<string, number | null>;

/** The keys of `npm run bench -- --json`, in order (the pipeline's and gateway's follow). */
export const JSON_KEYS = [
	'first_kpi_ms_cold',
	'first_kpi_ms_warm',
	'interactive_ms_cold',
	'interactive_ms_warm',
	'interaction_p95_ms',
	'bytes_cold_total',
	'bytes_data_regione',
	'bytes_data_ats',
	'naive_first_chart_ms',
	'naive_bytes',
	'ratio_first_chart_vs_naive',
	'ratio_bytes_vs_naive',
	'lighthouse_performance'
] as const;

/** Targets on the 2-core machine (issue 5; the pipeline's and gateway's from their issues). */
export const TARGETS: Record<string, { max?: number; min?: number }> = {
	first_kpi_ms_cold: { max: 400 },
	interactive_ms_cold: { max: 2000 },
	interactive_ms_warm: { max: 600 },
	interaction_p95_ms: { max: 50 },
	bytes_data_ats: { max: 150_000 },
	ratio_first_chart_vs_naive: { min: 5 },
	ratio_bytes_vs_naive: { min: 20 },
	lighthouse_performance: { min: 90 },
	// issue 2 (pipeline, full national scale)
	history_build_s: { max: 120 },
	add_one_month_s: { max: 10 }
};

/** Figures the table shows beside the JSON keys, with what they mean. */
const EXTRA: Record<string, string> = {
	first_chart_ms_cold: 'token → first chart drawn (summary), cold',
	engine_ms_cold: 'token → DuckDB-WASM worker up, wasm compiled (started on the callback route), cold',
	extract_ms_cold: 'token → the extract in the engine, cold',
	engine_ms_warm: 'token → DuckDB-WASM compiled, warm',
	extract_ms_warm: 'token → the extract in the engine, warm',
	bytes_first_chart_cold: 'bytes the first chart waited for (shell, config, manifest, summary; not the engine)',
	first_kpi_ms_ats_cold: 'ATS user: token → KPI values, cold',
	interactive_ms_ats_cold: 'ATS user: token → DuckDB chart, cold',
	bytes_cold_total_ats: 'ATS user: bytes from the gateway, cold',
	bytes_warm_total: 'Regione user: bytes from the gateway, warm',
	interactions: 'interaction steps timed (all passes)',
	interaction_passes: 'passes of the scripted sequence (first visit + each warm session)',
	interaction_p95_ms_pooled: 'p95 of every step of every pass together',
	interaction_median_ms: 'interaction median',
	interaction_query_p95_ms: 'p95 of the DuckDB query part of an interaction'
};

/** The JSON object: exactly the issue's keys, then `external` (pipeline, gateway) as they came. */
export function jsonObject(f: Figures, external: Figures): Figures {
	return { ...Object.fromEntries(JSON_KEYS.map((k) => [k, f[k] ?? null])), ...external };
}

const show = (v: number | null | undefined): string =>
	v == null ? '–' : Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 1 });

function verdict(key: string, v: number | null | undefined): string {
	const t = TARGETS[key];
	if (!t) return '';
	const target = t.max !== undefined ? `≤ ${show(t.max)}` : `≥ ${show(t.min)}`;
	if (v == null) return `${target}  (not measured)`;
	const ok = t.max !== undefined ? v <= t.max : v >= (t.min ?? -Infinity);
	return `${target}  ${ok ? 'met' : 'MISSED'}`;
}

/** The human table: figure, value, target and verdict; then the extra figures and notes. */
export function formatTable(f: Figures, external: Figures, meta: { scale: number | string; runs: number; notes: string[] }): string {
	const rows: [string, string, string][] = [];
	for (const k of JSON_KEYS) rows.push([k, show(f[k]), verdict(k, f[k])]);
	for (const [k, v] of Object.entries(external)) rows.push([k, show(v), verdict(k, v)]);
	rows.push(['', '', '']);
	for (const [k, label] of Object.entries(EXTRA)) if (k in f) rows.push([k, show(f[k]), label]);
	const w0 = Math.max(...rows.map((r) => r[0].length));
	const w1 = Math.max(...rows.map((r) => r[1].length));
	const lines = [
		`Cruscotto benchmark — ${new Date().toISOString().slice(0, 10)}, ${typeof meta.scale === 'number' ? `scale ${meta.scale}` : meta.scale}, medians of ${meta.runs} runs`,
		'',
		...rows.map(([a, b, c]) => (a === '' ? '' : `${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`.trimEnd()))
	];
	if (meta.notes.length) lines.push('', ...meta.notes.map((n) => `note: ${n}`));
	return lines.join('\n');
}
