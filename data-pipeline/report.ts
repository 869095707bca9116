/** The short end-of-build report (English). */
import type { BuildReport } from './build.ts';

const n = (x: number) => x.toLocaleString('en');

export function formatBuildReport(r: BuildReport): string {
	const c = r.changes;
	const changes = c.previous
		? `against ${c.previous}: ${c.newMonths.length ? `new months ${c.newMonths.join(', ')}` : 'no new months'}; ${n(c.revisedCells)} revised cells in ${n(c.revisedRows)} rows${c.revisedMonths.length ? ` (months ${c.revisedMonths.slice(0, 6).join(', ')}${c.revisedMonths.length > 6 ? ', …' : ''})` : ''}`
		: 'first publication';
	return [
		`Published version ${r.version}`,
		`  months       ${r.months.from} … ${r.months.to} (${r.months.count})`,
		`  territories  ${n(r.territories)}`,
		`  households   ${n(r.households)} household-months (${n(r.householdsRead)} read in this run)`,
		`  computed     ${r.recomputedMonths.length ? `${r.recomputedMonths.length} months (${r.recomputedMonths.length > 6 ? `${r.recomputedMonths[0]} … ${r.recomputedMonths.at(-1)}` : r.recomputedMonths.join(', ')})` : 'none'}; ${r.months.count - r.recomputedMonths.length} reused from the month cache`,
		`  rows         ${n(r.rows)}`,
		`  files        ${n(r.files)}, ${(r.bytes / 1e6).toFixed(1)} MB`,
		`  suppressed   ${n(r.suppressed.primary)} primary, ${n(r.suppressed.secondary)} secondary cells`,
		`  changes      ${changes}`,
		`  time         ${r.seconds.total?.toFixed(1)} s`
	].join('\n');
}
