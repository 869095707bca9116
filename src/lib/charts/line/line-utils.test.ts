import { expect, test } from 'vitest';
import { allMonths, isolated, linePath, monthDate, nearestMonth, xScale, yScale, type LineSeries } from './line-utils.ts';

const m = { top: 10, right: 10, bottom: 30, left: 50 };
const s: LineSeries[] = [
	{ id: 'a', label: 'A', color: '#000', dash: '', points: [{ month: '2023-11', value: 10 }, { month: '2023-12', value: null }, { month: '2024-01', value: 30 }, { month: '2024-02', value: 35 }] },
	{ id: 'b', label: 'B', color: '#000', dash: '', points: [{ month: '2023-10', value: 5 }] }
];

test('x spans the months inside the margins; y starts at 0 and is nice', () => {
	const months = allMonths(s);
	expect(months).toEqual(['2023-10', '2023-11', '2023-12', '2024-01', '2024-02']);
	const x = xScale(months, 500, m);
	expect(x(monthDate('2023-10'))).toBe(50);
	expect(x(monthDate('2024-02'))).toBe(490);
	const y = yScale(s, 200, m);
	expect(y.domain()).toEqual([0, 35]);
	expect(y(0)).toBe(170);
});

test('a suppressed month breaks the line instead of drawing 0', () => {
	const months = allMonths(s);
	const path = linePath(s[0].points, xScale(months, 500, m), yScale(s, 200, m));
	expect(path.match(/M/g)).toHaveLength(2);
	expect(path).not.toContain('NaN');
	expect(isolated(s[0].points).map((p) => p.month)).toEqual(['2023-11']);
});

test('the pointer snaps to the nearest month', () => {
	const months = allMonths(s);
	const x = xScale(months, 500, m);
	expect(nearestMonth(months, x, 52)).toBe(0);
	expect(nearestMonth(months, x, 480)).toBe(4);
});
