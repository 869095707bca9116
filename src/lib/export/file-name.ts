/** Export file names that say what they hold: `cruscotto_<territorio>_<indicatore>_<periodo>.<ext>`. */
import { fold } from '#lib/format/index.ts';

/** "Abano Terme" → "abano-terme"; accents dropped, anything else to dashes. */
export function slug(s: string): string {
	return fold(s, '-');
}

/** e.g. `fileName({ territory: 'Abano Terme', indicator: 'nuclei', period: '2019-04_2024-02' }, 'csv')`. */
export function fileName(parts: { territory: string; indicator: string; period: string }, ext: 'csv' | 'xlsx' | 'svg' | 'png'): string {
	return `cruscotto_${[parts.territory, parts.indicator, parts.period].map(slug).filter(Boolean).join('_')}.${ext}`;
}

/** Saves `blob` as `name` through a temporary link. */
export function download(blob: Blob, name: string): void {
	const url = URL.createObjectURL(blob);
	const a = document.createElement('a');
	a.href = url;
	a.download = name;
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
