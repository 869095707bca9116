/** The data layer's public surface for views. */
export { query, startEngine, useEngine, QueryError, identifier, type Param, type Row, type Value } from './query.ts';
export { extracts, ensureScope } from './session.ts';
export { ExtractError } from './extracts.ts';
export { progress, type Progress } from './progress.ts';
export * from './indicators.ts';
export * from './series.ts';
export * from './views.ts';
