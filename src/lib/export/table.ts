/** The table model shared by `DataTable`, the CSV and the Excel export: what is on screen is what is exported. */
import { formatValue, NOT_AVAILABLE, SUPPRESSED_COUNT, type ValueKind } from '#lib/format/index.ts';

export interface TableColumn {
	key: string;
	label: string;
	/** How numbers in this column are formatted; `text` cells are shown as they are. */
	kind: ValueKind | 'text';
}

export type Cell = string | number | null;

export interface TableModel {
	caption: string;
	columns: TableColumn[];
	rows: Record<string, Cell>[];
}

/** The text a cell shows (suppressed: "< 3" / "n.d."). */
export function cellText(value: Cell, kind: TableColumn['kind']): string {
	if (kind === 'text') return value == null ? '' : String(value);
	// A string in a number column is a marker already worded for the reader ("—": no row for the month).
	if (typeof value === 'string') return value;
	return formatValue(typeof value === 'number' ? value : null, kind);
}

/** Whether any cell of `table` reads "< 3" or "n.d." (a suppressed value): what calls for the confidentiality note. */
export function hasSuppressed(table: TableModel): boolean {
	return table.rows.some((row) =>
		table.columns.some((c) => {
			const v = row[c.key] ?? null;
			return (c.kind !== 'text' && v === null) || v === SUPPRESSED_COUNT || v === NOT_AVAILABLE;
		})
	);
}
