/**
 * A chart's width from a `ResizeObserver` only: `{@attach trackWidth((w) => (width = w))}`.
 * Svelte's `bind:clientWidth` also reads `clientWidth` in the mount's effect, which forces a
 * layout in the middle of the view's mount (8–11 ms when Confronto or Andamento is opened,
 * traced); the charts start at the width they last had, and the observer's first report (after
 * the frame's own layout, before its paint) corrects it only when it differs. `measureNow` for a
 * chart that has no width of its own yet.
 */
export function trackWidth(set: (width: number) => void, measureNow = false): (el: HTMLElement) => () => void {
	return (el) => {
		// No width known yet (the chart's first mount in the page): measured now, in the mount's
		// own task, rather than drawn at a guess and again one frame later.
		if (measureNow) set(el.clientWidth);
		const ro = new ResizeObserver(() => set(el.clientWidth));
		ro.observe(el);
		return () => ro.disconnect();
	};
}
