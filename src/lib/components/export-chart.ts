/** The SVG/PNG download of a chart on screen, framed with its title, legend, notes and the data's source and version. */
import { download, fileName, pngBlob, sourceLines, svgBlob, type ChartDescription } from '#lib/export/index.ts';
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
