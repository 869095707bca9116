/** Input problems: collected per kind, reported with file, row and field, then thrown together. */

export interface Problem {
	kind: string;
	file?: string;
	row?: number;
	field?: string;
	message: string;
	/** How many occurrences this entry stands for (when grouped in SQL). */
	count?: number;
}

const SHOWN_PER_KIND = 5;

/** Formats problems: the first few of each kind, with the total count per kind. */
export function formatProblems(problems: Problem[]): string {
	const byKind = new Map<string, Problem[]>();
	for (const p of problems) byKind.set(p.kind, [...(byKind.get(p.kind) ?? []), p]);
	const lines: string[] = [];
	for (const [kind, list] of byKind) {
		const total = list.reduce((s, p) => s + (p.count ?? 1), 0);
		lines.push(`${kind}: ${total} problem${total === 1 ? '' : 's'}`);
		for (const p of list.slice(0, SHOWN_PER_KIND)) {
			const where = [p.file, p.row !== undefined ? `row ${p.row}` : '', p.field ? `field ${p.field}` : ''].filter(Boolean).join(', ');
			lines.push(`  ${where ? where + ': ' : ''}${p.message}`);
		}
		if (list.length > SHOWN_PER_KIND) lines.push(`  … and ${list.length - SHOWN_PER_KIND} more`);
	}
	return lines.join('\n');
}

/** Bad input: nothing is written; the CLI prints the problems and exits with code 2. */
export class InputError extends Error {
	problems: Problem[];
	constructor(problems: Problem[]) {
		super(`Invalid input:\n${formatProblems(problems)}`);
		this.name = 'InputError';
		this.problems = problems;
	}
}
