/** Export of what is on screen: CSV and Excel for tables, SVG and PNG for charts. */
export { cellText, hasSuppressed, type Cell, type TableColumn, type TableModel } from './table.ts';
export { csvBlob, toCsv } from './csv.ts';
export { xlsxBlob, xlsxSheet } from './xlsx.ts';
export { addToExport, FONT_FAMILY, frameSvg, pngBlob, svgBlob, svgString, type ChartDescription, type LegendItem } from './image.ts';
export { sourceLines, SOURCES } from './source.ts';
export { download, fileName, slug } from './file-name.ts';
