import { sql, type ExpressionBuilder } from 'kysely';
import type { Database } from './database-schema.ts';

/**
 * Which executions a read may return, as decided by auth/access-policy.ts: everything (admins), or
 * what the user triggered plus what is shared with them or with a group they are in *now* (the
 * membership is read in the same query, so a removal counts from the very next request).
 */
export type ExecutionReadScope = { kind: 'all' } | { kind: 'user'; userId: string };

export function visibleExecutions(scope: ExecutionReadScope) {
  return (eb: ExpressionBuilder<Database, 'executions'>) => {
    if (scope.kind === 'all') return sql<boolean>`1 = 1`;
    return eb.or([
      eb('executions.triggered_by', '=', scope.userId),
      eb.and([
        eb('executions.access_scope', '=', 'shared'),
        eb.exists(
          eb
            .selectFrom('execution_shares as s')
            .select(sql<number>`1`.as('one'))
            .whereRef('s.execution_id', '=', 'executions.id')
            .where((s) =>
              s.or([
                s.and([s('s.principal_type', '=', 'user'), s('s.principal_id', '=', scope.userId)]),
                s.and([
                  s('s.principal_type', '=', 'group'),
                  s(
                    's.principal_id',
                    'in',
                    s.selectFrom('group_members').select('group_members.group_id').where('group_members.user_id', '=', scope.userId),
                  ),
                ]),
              ]),
            ),
        ),
      ]),
    ]);
  };
}
