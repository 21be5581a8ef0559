/**
 * The typed Runledger API client: `RunledgerClient` (with `records`, `attachments`, `admin` and
 * `audit`), its error and its types. Browser-safe; credential discovery (which reads files) lives
 * in `credentials.ts` and is imported from there.
 */
export { AdminClient } from './admin-client.ts';
export { ApiError } from './api-error.ts';
export { AttachmentsClient } from './attachments-client.ts';
export { AuditClient } from './audit-client.ts';
export { RecordsClient } from './records-client.ts';
export { RunledgerClient, definitionId, type DefinitionFormat, type RunledgerClientOptions } from './runledger-client.ts';
export type * from './record-types.ts';
export type * from './types.ts';
