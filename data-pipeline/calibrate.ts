import type { Db } from './db.ts';
export interface CalibrationPlan { x?: number }
export async function loadCalibration(_db: Db, _plan: CalibrationPlan): Promise<void> {}
export async function applyCalibration(_db: Db, _month: string, _seed: number): Promise<void> {}
import type { Registry } from './registry.ts';
export function parseCalibrationCsv(_file: string, _registry: Registry): CalibrationPlan & { report: string[] } { return { report: [] }; }
