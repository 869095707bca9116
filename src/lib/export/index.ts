/** Export of what is on screen: CSV and Excel for tables, SVG and PNG for charts. */
export { cellText, type Cell, type TableColumn, type TableModel } from './table.ts';
export { csvBlob, toCsv } from './csv.ts';
export { xlsxBlob, xlsxSheet } from './xlsx.ts';
export { pngBlob, svgBlob, svgString } from './image.ts';
export { download, fileName, slug } from './file-name.ts';
