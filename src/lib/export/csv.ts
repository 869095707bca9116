/**
 * CSV of a table exactly as it reads on screen, for Italian spreadsheets: `;` separator,
 * decimal comma, UTF-8 with BOM, CRLF (RFC 4180 quoting). Suppressed cells keep "< 3"/"n.d."
 * so nobody reads them as zero. The Excel export carries the raw numbers.
 */
import { cellText, type TableModel } from './table.ts';

/**
 * Text that a spreadsheet would run as a formula (OWASP "CSV injection": a leading = + - @, tab
 * or CR) gets a leading apostrophe, so it opens as text. Territory names are data from the
 * extracts, not ours; formatted numbers are ours and keep their sign (negatives use U+2212).
 */
function asText(s: string): string {
	return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

function quote(s: string): string {
	return /[;"\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The CSV text (without BOM) of `table`. */
export function toCsv(table: TableModel): string {
	const lines = [table.columns.map((c) => quote(asText(c.label))).join(';')];
	for (const row of table.rows) {
		lines.push(table.columns.map((c) => {
			const text = cellText(row[c.key] ?? null, c.kind);
			return quote(c.kind === 'text' ? asText(text) : text);
		}).join(';'));
	}
	return lines.join('\r\n') + '\r\n';
}

/** The CSV as a downloadable Blob (BOM so Excel reads UTF-8). */
export function csvBlob(table: TableModel): Blob {
	return new Blob(['\ufeff', toCsv(table)], { type: 'text/csv;charset=utf-8' });
}
