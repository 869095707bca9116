/**
 * Bytes on the wire as Chromium counts them (response headers and encoded body), per request,
 * including the requests of the page's dedicated workers (Playwright attaches to them).
 */
import type { Page, Request } from 'playwright-core';

export interface RequestBytes {
	url: string;
	status: number;
	bytes: number;
	/** When the response ended, epoch ms. */
	endMs: number;
}

export interface ByteCounter {
	/** Every request finished so far. */
	requests(): Promise<RequestBytes[]>;
	/** Bytes of every request finished so far. */
	total(): Promise<number>;
}

/** Starts counting the page's network bytes (attach before navigating). */
export function countBytes(page: Page): ByteCounter {
	const pending: Promise<RequestBytes>[] = [];
	const measure = async (req: Request): Promise<RequestBytes> => {
		const [sizes, res] = await Promise.all([req.sizes(), req.response()]);
		const t = req.timing();
		// Chromium reports no body size for a dedicated worker's own script: use its Content-Length.
		let body = sizes.responseBodySize;
		if (body === 0 && res?.status() === 200) body = Number((await res.allHeaders())['content-length'] ?? 0);
		return {
			url: req.url(),
			status: res?.status() ?? 0,
			bytes: sizes.responseHeadersSize + body,
			endMs: t.startTime + t.responseEnd
		};
	};
	page.on('requestfinished', (req) => pending.push(measure(req)));
	const requests = async () => {
		await new Promise((r) => setTimeout(r, 100));
		return Promise.all(pending);
	};
	return { requests, total: async () => (await requests()).reduce((sum, r) => sum + r.bytes, 0) };
}
