import type { Kysely } from 'kysely';
import type { Database } from './database-schema.ts';
import { fromJson } from './json-column.ts';

/**
 * The trace context an execution's run request came with, as its `CREATED` audit event keeps it
 * (`metadata.trace`), or null when it came with none. One indexed read per execution; traces only.
 */
export async function getCallerTrace(db: Kysely<Database>, executionId: string): Promise<unknown> {
  const row = await db
    .selectFrom('audit_events')
    .select('metadata')
    .where('execution_id', '=', executionId)
    .where('subject_type', '=', 'execution')
    .where('subject_id', '=', executionId)
    .where('event_type', '=', 'CREATED')
    .executeTakeFirst();
  if (!row) return null;
  return fromJson<Record<string, unknown>>(row.metadata).trace ?? null;
}
