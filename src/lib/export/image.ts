/**
 * SVG and PNG of a chart as a statistics office publishes one: the title and what it shows
 * (territory, measure, period) above, the legend, the chart as drawn, then the notes and the
 * source. Charts set colours and fonts as attributes, so a clone of their SVG stands alone; the
 * frame around it is written here as plain SVG text.
 */

/** One legend entry: a line (with its dash pattern) or a filled box. */
export interface LegendItem {
	label: string;
	color: string;
	dash?: string;
	shape?: 'line' | 'box';
}

/** What frames an exported chart. */
export interface ChartDescription {
	/** The chart's title as on screen. */
	title: string;
	/** What it shows: territory, measure, month or period. */
	subtitle?: string;
	/** Legend entries when the legend is not drawn inside the chart itself. */
	legend?: readonly LegendItem[];
	/** Notes and source, one paragraph each (`sourceLines`). */
	footer: readonly string[];
}

/** The app's font, with fallbacks for a viewer that lacks it (an SVG file or a PNG drawn without the page's web fonts). */
export const FONT_FAMILY = "'Titillium Web', 'Segoe UI', Geneva, Tahoma, Arial, sans-serif";

const SVG_NS = 'http://www.w3.org/2000/svg';
const PAD = 16;
const TITLE = { size: 18, line: 23, color: '#17324d', weight: 700 };
const SUBTITLE = { size: 14, line: 19, color: '#455b71', weight: 400 };
const LEGEND = { size: 13, row: 20, gap: 18 };
const NOTE = { size: 11, line: 15, color: '#455b71', weight: 400 };

/**
 * A generous estimate of the width of `text` at `size` px: an SVG written outside the page
 * cannot measure it, and a fallback font (Tahoma, Arial) is wider than Titillium Web.
 */
export function textWidth(text: string, size: number): number {
	return text.length * size * 0.52;
}

/** `text` broken into lines of at most `width` px (by `textWidth`); a word longer than a line keeps a line of its own. */
export function wrapText(text: string, width: number, size: number): string[] {
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(/\s+/).filter(Boolean)) {
		const next = line ? `${line} ${word}` : word;
		if (line && textWidth(next, size) > width) {
			lines.push(line);
			line = word;
		} else line = next;
	}
	if (line) lines.push(line);
	return lines;
}

function esc(s: string): string {
	return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Lines of text from `y` (their first baseline one line down); returns the markup and the y below them. */
function paragraph(lines: string[], y: number, style: { size: number; line: number; color: string; weight: number }, attrs = ''): { svg: string; y: number } {
	const svg = lines
		.map((l, i) => `<text x="${PAD}" y="${y + (i + 1) * style.line - (style.line - style.size) / 2 - 2}" font-size="${style.size}" font-weight="${style.weight}" fill="${style.color}"${attrs}>${esc(l)}</text>`)
		.join('');
	return { svg, y: y + lines.length * style.line };
}

/** The legend's entries in rows that fit `width` (a label wider than a row wraps under itself); returns the markup and the y below it. */
function legendRows(items: readonly LegendItem[], y: number, width: number): { svg: string; y: number } {
	let x = PAD;
	let row = 0;
	let svg = '';
	for (const it of items) {
		const swatch = it.shape === 'box' ? 14 : 28;
		const lines = wrapText(it.label, width - 2 * PAD - swatch - 6, LEGEND.size);
		const w = swatch + 6 + Math.max(...lines.map((l) => textWidth(l, LEGEND.size)));
		if (x > PAD && (lines.length > 1 || x + w > width - PAD)) {
			x = PAD;
			row++;
		}
		const top = y + row * LEGEND.row;
		const mark =
			it.shape === 'box'
				? `<rect x="${x}" y="${top + 3}" width="14" height="14" fill="${esc(it.color)}" />`
				: `<line x1="${x}" x2="${x + 28}" y1="${top + 10}" y2="${top + 10}" stroke="${esc(it.color)}" stroke-width="3"${it.dash ? ` stroke-dasharray="${esc(it.dash)}"` : ''} />`;
		const label = lines.map((l, i) => `<tspan x="${x + swatch + 6}" y="${top + 14 + i * LEGEND.row}">${esc(l)}</tspan>`).join('');
		svg += `<g data-legend-item="">${mark}<text font-size="${LEGEND.size}" fill="#1a1a1a">${label}</text></g>`;
		if (lines.length > 1) {
			row += lines.length - 1;
			x = width; // the next entry starts a row of its own
		} else x += w + LEGEND.gap;
	}
	return { svg, y: items.length ? y + (row + 1) * LEGEND.row : y };
}

/**
 * The standalone SVG document: `chart` (the chart's own SVG markup, drawn at `width` ×
 * `chartHeight`) framed by `d`'s title, subtitle, legend and footer, on white.
 */
export function frameSvg(chart: string, width: number, chartHeight: number, d: ChartDescription): { text: string; width: number; height: number } {
	const inner = width - 2 * PAD;
	let y = PAD - 4;
	const title = paragraph(wrapText(d.title, inner, TITLE.size), y, TITLE, ' data-export-title=""');
	y = title.y;
	const subtitle = d.subtitle ? paragraph(wrapText(d.subtitle, inner, SUBTITLE.size), y, SUBTITLE, ' data-export-subtitle=""') : { svg: '', y };
	y = subtitle.y + 6;
	const legend = d.legend?.length ? legendRows(d.legend, y, width) : { svg: '', y };
	y = legend.y + 4;
	const chartY = y;
	y += chartHeight + 8;
	const rule = `<line x1="${PAD}" x2="${width - PAD}" y1="${y}" y2="${y}" stroke="#c5c7c9" />`;
	y += 4;
	let footer = '';
	for (const p of d.footer) {
		const para = paragraph(wrapText(p, inner, NOTE.size), y, NOTE, ' data-export-note=""');
		footer += para.svg;
		y = para.y + 3;
	}
	const height = Math.ceil(y + PAD - 6);
	const body = chart.replace(/^<svg\b/, `<svg x="0" y="${chartY}" data-export-chart=""`);
	const text =
		`<svg xmlns="${SVG_NS}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${esc(FONT_FAMILY)}">` +
		`<title>${esc(d.subtitle ? `${d.title} — ${d.subtitle}` : d.title)}</title>` +
		`<rect width="100%" height="100%" fill="#ffffff" />` +
		`<g data-export-head="">${title.svg}${subtitle.svg}</g>` +
		(legend.svg ? `<g data-export-legend="">${legend.svg}</g>` : '') +
		body +
		`<g data-export-footer="">${rule}${footer}</g>` +
		`</svg>`;
	return { text, width, height };
}

/** What a chart draws outside its SVG (the canvas map's areas), added to the copy being exported. */
const exportParts = new WeakMap<SVGSVGElement, (copy: SVGSVGElement) => void>();

/** Registers `add` to put into the export copy of `svg` what the chart draws elsewhere; returns the unregistration. */
export function addToExport(svg: SVGSVGElement, add: (copy: SVGSVGElement) => void): () => void {
	exportParts.set(svg, add);
	return () => {
		if (exportParts.get(svg) === add) exportParts.delete(svg);
	};
}

/** The chart's SVG framed by `d` as a standalone document (size in px as on screen). */
export function framedSvg(svg: SVGSVGElement, d: ChartDescription): { text: string; width: number; height: number } {
	const clone = svg.cloneNode(true) as SVGSVGElement;
	exportParts.get(svg)?.(clone);
	const { width, height } = svg.getBoundingClientRect();
	const [w, h] = [Math.round(width), Math.round(height)];
	clone.setAttribute('width', String(w));
	clone.setAttribute('height', String(h));
	clone.setAttribute('font-family', FONT_FAMILY);
	clone.removeAttribute('style');
	clone.querySelectorAll('[data-export-skip]').forEach((n) => n.remove());
	return frameSvg(new XMLSerializer().serializeToString(clone), w, h, d);
}

/** The SVG text of the framed chart. */
export function svgString(svg: SVGSVGElement, d: ChartDescription): string {
	return framedSvg(svg, d).text;
}

/** The SVG file as a Blob. */
export function svgBlob(svg: SVGSVGElement, d: ChartDescription): Blob {
	return new Blob([svgString(svg, d)], { type: 'image/svg+xml;charset=utf-8' });
}

/** A PNG of the framed chart at `scale`× its size on screen, drawn from the SVG through a canvas. */
export async function pngBlob(svg: SVGSVGElement, d: ChartDescription, scale = 2): Promise<Blob> {
	const framed = framedSvg(svg, d);
	const url = URL.createObjectURL(new Blob([framed.text], { type: 'image/svg+xml;charset=utf-8' }));
	try {
		const img = new Image();
		img.src = url;
		await img.decode();
		const canvas = document.createElement('canvas');
		canvas.width = framed.width * scale;
		canvas.height = framed.height * scale;
		const ctx = canvas.getContext('2d');
		if (!ctx) throw new Error('No 2D canvas');
		ctx.scale(scale, scale);
		ctx.drawImage(img, 0, 0, framed.width, framed.height);
		return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
	} finally {
		URL.revokeObjectURL(url);
	}
}
