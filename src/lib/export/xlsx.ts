/** Excel export with `write-excel-file`: numbers as numbers (with Italian display formats), suppressed cells as text. */
import writeXlsxFile, { type SheetData } from 'write-excel-file/browser';
import { cellText, type TableModel } from './table.ts';

const FORMATS: Record<string, string | undefined> = { count: '#,##0', euro: '#,##0.00 "€"', euro0: '#,##0 "€"', rate: '0.00', share: '0.0%', change: '+0.0%;-0.0%' };

/** The sheet rows: a header row, then one row per table row. */
export function xlsxSheet(table: TableModel): SheetData {
	const header = table.columns.map((c) => ({ value: c.label, fontWeight: 'bold' as const }));
	const body = table.rows.map((row) =>
		table.columns.map((c) => {
			const v = row[c.key] ?? null;
			if (c.kind !== 'text' && typeof v === 'number') return { type: Number, value: v, format: FORMATS[c.kind] };
			return { type: String, value: cellText(v, c.kind) };
		})
	);
	return [header, ...body] as SheetData;
}

/** A sheet name Excel accepts (31 characters, none of \\ / ? * [ ] :). */
const sheetName = (s: string) => s.slice(0, 31).replace(/[\\/?*[\]:]/g, ' ');

/**
 * The .xlsx file as a Blob. With `notes` (the table's caption, the confidentiality note, the
 * source and data version), a second sheet "Note" holds them one per row: the first sheet stays
 * the table alone, for formulas and pivot tables.
 */
export async function xlsxBlob(table: TableModel, notes?: readonly string[]): Promise<Blob> {
	const data = xlsxSheet(table);
	if (!notes?.length) return writeXlsxFile(data, { sheet: sheetName(table.caption) }).toBlob();
	const noteRows = notes.map((n) => [{ type: String, value: n }]) as SheetData;
	return writeXlsxFile([
		{ data, sheet: sheetName(table.caption) },
		{ data: noteRows, sheet: 'Note', columns: [{ width: 120 }] }
	]).toBlob();
}
