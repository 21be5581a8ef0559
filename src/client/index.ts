/**
 * The typed Runledger API client: `RunledgerClient`, its error and its types. Browser-safe;
 * credential discovery (which reads files) lives in `credentials.ts` and is imported from there.
 */
export { ApiError } from './api-error.ts';
export { RunledgerClient, definitionId, type DefinitionFormat, type RunledgerClientOptions } from './runledger-client.ts';
export type * from './types.ts';
