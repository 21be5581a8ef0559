import { PostgresAdapter, sql, type RawBuilder, type Transaction } from 'kysely';
import { appendAuditEvents, auditEventRows } from './audit-event-repository.ts';
import { postgresCapabilities, sqliteCapabilities, type DialectCapabilities } from './capabilities.ts';
import type { Database } from './database-schema.ts';
import { appendLogLines, countsRelation, lockLogCounters, type ExecutionLogRow } from './execution-log-repository.ts';
import { toNullableJson } from './json-column.ts';
import { notifyAll } from './store-notifications.ts';
import { partsOfHeldAppends, takeHeldAppends, type HeldAppends } from './held-appends.ts';
import { claimablePart, writeClaimable } from './task-claim-repository.ts';
import { insertTransitions, transitionRows } from './task-run-repository.ts';

/**
 * Writes what `trx` held (see held-appends.ts) just before it commits: on PostgreSQL one statement
 * (data-modifying WITHs) where there were up to eight round trips; on SQLite, where a statement costs
 * no round trip, the usual statements in the same order. More than one statement takes is written
 * in parts (`partsOfHeldAppends`).
 */
export async function writeHeldAppends(trx: Transaction<Database>): Promise<void> {
  const tail = takeHeldAppends(trx);
  if (!tail) return;
  for (const part of partsOfHeldAppends(tail)) await writePart(trx, part);
}

/** Writes a part of the held appends small enough for one statement of either dialect. */
async function writePart(trx: Transaction<Database>, tail: HeldAppends): Promise<void> {
  if (!(trx.getExecutor().adapter instanceof PostgresAdapter)) {
    await writeClaimable(trx, tail.claimable);
    await insertTransitions(trx, tail.transitions);
    await appendAuditEvents(trx, tail.auditEvents);
    await appendLogLines(trx, sqliteCapabilities, tail.logLines);
    return;
  }
  const caps = postgresCapabilities;
  const parts: RawBuilder<unknown>[] = [];
  if (tail.claimable.length > 0) parts.push(claimablePart(tail.claimable));
  if (tail.transitions.length > 0) {
    parts.push(sql`transitions as (${trx.insertInto('task_run_transitions').values(transitionRows(tail.transitions))})`);
  }
  if (tail.auditEvents.length > 0) {
    const { events, heads } = auditEventRows(trx, tail.auditEvents);
    parts.push(sql`audit as (${events})`, sql`heads as (${heads})`);
  }
  if (tail.logLines.length > 0) parts.push(...(await logLineParts(trx, caps, tail.logLines)));
  const channels: string[] = [];
  const payloads: string[] = [];
  for (const [channel, list] of tail.notifications) {
    for (const payload of list) {
      channels.push(channel);
      payloads.push(payload);
    }
  }
  if (parts.length === 0) {
    await notifyAll(trx, tail.notifications);
    return;
  }
  // The wake-ups are the statement's own result; PostgreSQL delivers them when the transaction commits.
  const result =
    channels.length > 0
      ? sql`select count(pg_notify(c, p)) from unnest(${channels}::text[], ${payloads}::text[]) as t(c, p)`
      : sql`select 1`;
  await sql`with ${sql.join(parts)} ${result}`.execute(trx);
}

/**
 * The log lines as two WITHs: the seqs are allocated from each execution's `log_entry_count` (as
 * `appendLogLines` does) and the lines inserted with them, in the same statement.
 */
async function logLineParts(
  trx: Transaction<Database>,
  caps: DialectCapabilities,
  lines: ReadonlyArray<Omit<ExecutionLogRow, 'seq'>>,
): Promise<RawBuilder<unknown>[]> {
  const counts = new Map<string, number>();
  const rows = lines.map((line) => {
    const ord = counts.get(line.executionId) ?? 0;
    counts.set(line.executionId, ord + 1);
    return { line, ord };
  });
  await lockLogCounters(trx, caps, [...counts.keys()]);
  const values = sql.join(
    rows.map(
      ({ line: l, ord }) =>
        sql`(${l.executionId}, cast(${ord} as integer), ${l.taskRunId}, cast(${l.ts} as timestamptz), ${l.level}, ${l.source}, ${l.message}, cast(${toNullableJson(l.metadata)} as jsonb))`,
    ),
  );
  return [
    sql`log_seqs as (
      update executions set log_entry_count = log_entry_count + v.n
      from (${countsRelation(counts)}) as v where executions.id = v.id
      returning executions.id as id, executions.log_entry_count - v.n + 1 as first)`,
    sql`log_lines as (
      insert into execution_logs (execution_id, seq, task_run_id, ts, level, source, message, metadata)
      select l.execution_id, s.first + l.ord, l.task_run_id, l.ts, l.level, l.source, l.message, l.metadata
      from (values ${values}) as l(execution_id, ord, task_run_id, ts, level, source, message, metadata)
      join log_seqs s on s.id = l.execution_id)`,
  ];
}
