/**
 * Drill-down helpers: the chain of territories from the user's own scope down to the
 * territory in view. Crumbs start at the user's scope: an ATS user drills into their Comuni
 * but never up to the Regione (which they see only as a benchmark).
 */
import type { TerritoryId, TerritoryLevel } from '#contracts';

/** A territory as the extracts describe it. */
export interface TerritoryNode {
	id: TerritoryId;
	name: string;
	level: TerritoryLevel;
	parent_id: TerritoryId | null;
}

/** One breadcrumb entry; `current` marks the territory in view; `link: false` is context the user may not open. */
export interface Crumb {
	id: TerritoryId;
	name: string;
	level: TerritoryLevel;
	current: boolean;
	link?: boolean;
}

/** How the helpers find a territory: a map, or a lookup over an index (no map of every territory built). */
export type NodeLookup = Pick<ReadonlyMap<TerritoryId, TerritoryNode>, 'get'>;

/** `t` and its ancestors, outermost first; stops where a parent is unknown or a loop would start. */
export function ancestry(t: TerritoryId, nodes: NodeLookup): TerritoryNode[] {
	const chain: TerritoryNode[] = [];
	const seen = new Set<TerritoryId>();
	let node = nodes.get(t);
	while (node && !seen.has(node.id)) {
		chain.unshift(node);
		seen.add(node.id);
		node = node.parent_id ? nodes.get(node.parent_id) : undefined;
	}
	return chain;
}

/**
 * The crumbs from the outermost of the user's territories that contains `t`, down to `t`;
 * empty when `t` lies outside every territory of the user.
 */
export function breadcrumbTrail(
	t: TerritoryId,
	nodes: NodeLookup,
	userTerritories: readonly TerritoryId[]
): Crumb[] {
	const chain = ancestry(t, nodes);
	const start = userTerritories.includes('it') && chain[0]?.id === 'it' ? 0 : chain.findIndex((n) => userTerritories.includes(n.id));
	if (start < 0) return [];
	return chain.slice(start).map((n) => ({ id: n.id, name: n.name, level: n.level, current: n.id === t }));
}

/** True when the user may put `t` in view (it lies inside one of their territories). */
export function mayView(t: TerritoryId, nodes: NodeLookup, userTerritories: readonly TerritoryId[]): boolean {
	if (userTerritories.includes('it')) return true;
	return ancestry(t, nodes).some((n) => userTerritories.includes(n.id));
}

/** The level one drills into from `level` (Italia → Regione → ATS → Comune), or null at the bottom. */
export function childLevel(level: TerritoryLevel): TerritoryLevel | null {
	return ({ italia: 'regione', regione: 'ats', provincia: 'comune', ats: 'comune', comune: null } as const)[level];
}
