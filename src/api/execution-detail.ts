import type { Kysely } from 'kysely';
import type { Execution } from '../domain/records.ts';
import type { Database } from '../store/database-schema.ts';
import { listTaskRunsByExecution } from '../store/task-run-repository.ts';
import { getUserById } from '../store/user-repository.ts';
import { presentExecution } from './presenters.ts';

/** An execution as `GET /v1/executions/:id` shows it: every task run, and who triggered it by name. */
export async function executionDetail(db: Kysely<Database>, execution: Execution) {
  const username = execution.triggeredBy ? ((await getUserById(db, execution.triggeredBy))?.username ?? null) : null;
  return presentExecution(execution, await listTaskRunsByExecution(db, execution.id), username);
}
