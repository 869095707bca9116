/** Reads a form or roster CSV export into rows that remember their row number. */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';

export interface CsvRow {
	/** The row as a spreadsheet shows it: the header is row 1, the first data row is row 2. */
	row: number;
	values: Record<string, string>;
}

/** A problem with one row, reported with its row number. */
export interface RowError {
	row: number;
	message: string;
}

/**
 * Parses `file` (UTF-8, optional BOM, comma or semicolon separated — spreadsheets in Italian
 * locales export `;`). Headers are matched case-insensitively; extra columns are ignored; a
 * missing required column fails the whole file.
 */
export async function readCsv(file: string, required: readonly string[]): Promise<CsvRow[]> {
	const text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
	const firstLine = text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n'));
	const delimiter = firstLine.split(';').length > firstLine.split(',').length ? ';' : ',';
	let records: { record: Record<string, string>; info: { lines: number } }[];
	try {
		records = parse(text, {
			delimiter,
			columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
			info: true,
			trim: true,
			skip_empty_lines: true
		}) as typeof records;
	} catch (err) {
		throw new Error(`${file}: not a readable CSV: ${(err as Error).message}`);
	}
	const header = firstLine.split(delimiter).map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase());
	const missing = required.filter((c) => !header.includes(c));
	if (missing.length) throw new Error(`${file}: missing column(s) ${missing.join(', ')} (expected ${required.join(', ')})`);
	return records.map(({ record, info }) => ({ row: info.lines, values: record }));
}
