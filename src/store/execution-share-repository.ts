import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database-schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface ExecutionShares {
  users: { id: string; username: string }[];
  groups: { id: string; name: string }[];
}

export async function getExecutionShares(db: Db, executionId: string): Promise<ExecutionShares> {
  const users = await db
    .selectFrom('execution_shares as s')
    .innerJoin('users as u', 'u.id', 's.principal_id')
    .select(['u.id', 'u.username'])
    .where('s.execution_id', '=', executionId)
    .where('s.principal_type', '=', 'user')
    .orderBy('u.username')
    .execute();
  const groups = await db
    .selectFrom('execution_shares as s')
    .innerJoin('groups as g', 'g.id', 's.principal_id')
    .select(['g.id', 'g.name'])
    .where('s.execution_id', '=', executionId)
    .where('s.principal_type', '=', 'group')
    .orderBy('g.name')
    .execute();
  return { users, groups };
}

/**
 * Claims an execution's shares for this transaction and answers its scope as it is now. The claim is a
 * write to the execution's row, which PostgreSQL locks until the transaction ends: a concurrent change
 * of the same shares waits, then reads what this one wrote (SQLite has a single writer anyway). Without
 * it two replacements interleave their delete and insert and one fails on a duplicate key.
 */
export async function claimExecutionShares(db: Db, executionId: string, now: string): Promise<'private' | 'shared' | undefined> {
  const row = await db
    .updateTable('executions')
    .set({ updated_at: now })
    .where('id', '=', executionId)
    .returning('access_scope')
    .executeTakeFirst();
  return row?.access_scope as 'private' | 'shared' | undefined;
}

/** Replaces the whole share set of an execution (claim it first: `claimExecutionShares`). */
export async function replaceExecutionShares(
  db: Db,
  executionId: string,
  shares: { userIds: readonly string[]; groupIds: readonly string[] },
  by: string | null,
  now: string,
): Promise<void> {
  await db.deleteFrom('execution_shares').where('execution_id', '=', executionId).execute();
  const rows = [
    ...shares.userIds.map((id) => ({ principal_type: 'user' as const, principal_id: id })),
    ...shares.groupIds.map((id) => ({ principal_type: 'group' as const, principal_id: id })),
  ].map((r) => ({ ...r, execution_id: executionId, created_by: by, created_at: now }));
  if (rows.length > 0) await db.insertInto('execution_shares').values(rows).execute();
}
