import { describe, expect, test } from 'vitest';
import { INDICATORS, measureShort } from './indicators.ts';

describe('measureShort', () => {
	test('the total names the indicator it adds up, not always households', () => {
		expect(measureShort('totale', 'nuclei')).toBe('Totale nuclei');
		expect(measureShort('totale', 'persone')).toBe('Totale persone');
		expect(measureShort('totale', 'importo_medio')).toBe('Media di tutti i nuclei');
		expect(measureShort('totale', 'nuclei_per_1000')).toBe('Totale nuclei per 1.000 ab.');
	});
	test('a measure keeps its short name whatever the indicator', () => {
		for (const k of INDICATORS) expect(measureShort('ADI', k)).toBe('ADI');
	});
});
