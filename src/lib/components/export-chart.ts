/**
 * The downloads of what is on screen with the data's source and version: a chart as SVG/PNG
 * framed with its title, legend and notes; a table as CSV (the rows alone, for any tool) or
 * Excel (the table, and a "Note" sheet with its caption, notes and source).
 */
import { csvBlob, download, fileName, hasSuppressed, pngBlob, sourceLines, svgBlob, xlsxBlob, type ChartDescription, type TableModel } from '#lib/export/index.ts';
import { extracts } from '#lib/data/session.ts';

/** What a view says about its chart; the footer (source, version, notes) is added here. */
export type ChartLabel = Omit<ChartDescription, 'footer'> & {
	/** A value of the chart is suppressed ("< 3", "n.d."): the confidentiality note goes below it. */
	suppressed: boolean;
};

/** Downloads `svg` as an SVG or PNG file named after `name`. */
export async function exportChart(svg: SVGSVGElement, ext: 'svg' | 'png', label: ChartLabel, name: { territory: string; indicator: string; period: string }): Promise<void> {
	const manifest = await extracts.manifest().catch(() => null);
	const { suppressed, ...rest } = label;
	const d: ChartDescription = { ...rest, footer: sourceLines(manifest, suppressed) };
	download(ext === 'svg' ? svgBlob(svg, d) : await pngBlob(svg, d), fileName(name, ext));
}

/** Downloads `table` as CSV or Excel, named after `name`. */
export async function exportTable(table: TableModel, ext: 'csv' | 'xlsx', name: { territory: string; indicator: string; period: string }): Promise<void> {
	if (ext === 'csv') return download(csvBlob(table), fileName(name, ext));
	const manifest = await extracts.manifest().catch(() => null);
	download(await xlsxBlob(table, [table.caption, ...sourceLines(manifest, hasSuppressed(table))]), fileName(name, ext));
}
