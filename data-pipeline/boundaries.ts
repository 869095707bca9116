import type { Logger } from './log.ts';
import type { Registry } from './registry.ts';
import type { WrittenFile } from './write-extracts.ts';
export async function writeBoundaries(_src: string, _registry: Registry, _dir: string, _log: Logger): Promise<WrittenFile[]> {
	return [];
}
