/** SVG and PNG of a chart as drawn. Charts set colours and fonts as attributes, so a clone stands alone. */

/** The chart's SVG as a standalone document string. */
export function svgString(svg: SVGSVGElement): string {
	const clone = svg.cloneNode(true) as SVGSVGElement;
	const { width, height } = svg.getBoundingClientRect();
	clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
	clone.setAttribute('width', String(Math.round(width)));
	clone.setAttribute('height', String(Math.round(height)));
	clone.setAttribute('font-family', "'Titillium Web', Geneva, Tahoma, sans-serif");
	clone.querySelectorAll('[data-export-skip]').forEach((n) => n.remove());
	const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
	bg.setAttribute('width', '100%');
	bg.setAttribute('height', '100%');
	bg.setAttribute('fill', '#ffffff');
	clone.insertBefore(bg, clone.firstChild);
	return new XMLSerializer().serializeToString(clone);
}

/** The SVG file as a Blob. */
export function svgBlob(svg: SVGSVGElement): Blob {
	return new Blob([svgString(svg)], { type: 'image/svg+xml;charset=utf-8' });
}

/** A PNG at `scale`× the on-screen size, drawn from the SVG through a canvas. */
export async function pngBlob(svg: SVGSVGElement, scale = 2): Promise<Blob> {
	const url = URL.createObjectURL(svgBlob(svg));
	try {
		const img = new Image();
		img.src = url;
		await img.decode();
		const canvas = document.createElement('canvas');
		canvas.width = img.naturalWidth * scale;
		canvas.height = img.naturalHeight * scale;
		const ctx = canvas.getContext('2d');
		if (!ctx) throw new Error('No 2D canvas');
		ctx.scale(scale, scale);
		ctx.drawImage(img, 0, 0);
		return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
	} finally {
		URL.revokeObjectURL(url);
	}
}
