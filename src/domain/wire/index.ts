/** The wire shapes of the REST API: what every route answers (schemas and their types). */
export * from './common-wire.ts';
export * from './workflow-wire.ts';
export * from './execution-wire.ts';
export * from './log-wire.ts';
export * from './audit-wire.ts';
export * from './identity-wire.ts';
export * from './attachment-wire.ts';
export * from './retention-wire.ts';
export * from './trigger-wire.ts';
