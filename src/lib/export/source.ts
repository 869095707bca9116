/**
 * Where the figures come from, in the words the app's footer uses and every exported chart
 * repeats below itself: the sources, the data version, "dati sintetici" when the manifest says so.
 */
import type { Manifest } from '#contracts';
import { CONFIDENTIALITY_NOTE, formatDate, formatMonth } from '#lib/format/index.ts';

/** The sources of the published figures. */
export const SOURCES =
	'INPS, Osservatorio statistico su Reddito e Pensione di Cittadinanza, Assegno di Inclusione e Supporto per la Formazione e il Lavoro (nuclei, persone, importi); ISTAT (territori e popolazione residente).';

/** The footer's line on the data version: "Versione dei dati V, pubblicata il D; periodo da M a M.". */
export function versionText(m: Pick<Manifest, 'version' | 'published_at' | 'period'>): string {
	return `Versione dei dati ${m.version}, pubblicata il ${formatDate(m.published_at)}; periodo da ${formatMonth(m.period.from)} a ${formatMonth(m.period.to)}.`;
}

/** What is synthetic in the published data, or null when nothing is (the demo's microdata and Comune→ATS map are). */
export function syntheticText(s: Manifest['synthetic']): string | null {
	const parts = [
		s.microdata ? 'i dati sui nuclei sono generati a scopo dimostrativo' : null,
		s.ats_map ? 'gli Ambiti territoriali sono sintetici (non esiste una mappa nazionale pubblica Comuni–ATS)' : null
	].filter((p) => p !== null);
	return parts.length ? `${parts.join('; ')}.` : null;
}

/**
 * The lines under an exported chart: the confidentiality note when a value is suppressed, the
 * synthetic-data warning, then the source with the data version (without a manifest, the
 * source alone).
 */
export function sourceLines(m: Pick<Manifest, 'version' | 'published_at' | 'period' | 'synthetic'> | null, suppressed: boolean): string[] {
	const synthetic = m && syntheticText(m.synthetic);
	return [
		...(suppressed ? [CONFIDENTIALITY_NOTE] : []),
		...(synthetic ? [`Dati sintetici: ${synthetic}`] : []),
		`Fonte: elaborazione Cruscotto su dati ${SOURCES}${m ? ` ${versionText(m)}` : ''}`
	];
}
