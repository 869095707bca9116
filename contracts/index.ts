/** The contracts shared by the pipeline, the gateway, the identity provider and the app. */
export * from './territory.ts';
export * from './claims.ts';
export * from './manifest.ts';
export * from './scope.ts';
export * from './extract.ts';
export * from './summary.ts';
