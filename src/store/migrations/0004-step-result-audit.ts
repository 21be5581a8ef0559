import { sql, type Kysely } from 'kysely';
import type { DialectCapabilities } from '../capabilities.ts';

/**
 * Step-result audit: one small row per task-run result, written by a database trigger on
 * `task_run_transitions` (so no code path can record a result without it), and append-only audit
 * tables guarded by triggers. The only DELETE allowed is the retention purge, which opens
 * `audit_purge_window` inside its own transaction.
 */
const RESULT_STATES = `('succeeded', 'failed', 'cancelled', 'timed_out')`;

export async function up(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void> {
  const ts = sql.raw(caps.timestampType);
  const bool = sql.raw(caps.dialect === 'postgres' ? 'boolean' : 'integer');

  await db.schema
    .createTable('step_result_audit')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('task_run_id', 'text', (c) => c.notNull())
    .addColumn('transition_id', 'text', (c) => c.notNull())
    .addColumn('execution_id', 'text', (c) => c.notNull())
    .addColumn('recorded_at', ts, (c) => c.notNull())
    .addColumn('worker_id', 'text')
    .addColumn('correlation_id', 'text')
    .addColumn('success', bool, (c) => c.notNull())
    .addColumn('execution_time_ms', 'integer')
    .addUniqueConstraint('step_result_audit_task_run_transition_uq', ['task_run_id', 'transition_id'])
    .execute();
  await db.schema
    .createIndex('step_result_audit_worker_idx')
    .on('step_result_audit')
    .column('worker_id')
    .where(sql.ref('worker_id'), 'is not', null)
    .execute();
  await db.schema.createIndex('step_result_audit_execution_idx').on('step_result_audit').columns(['execution_id', 'task_run_id']).execute();
  await db.schema
    .createTable('audit_purge_window')
    .addColumn('opened_at', ts, (c) => c.notNull())
    .execute();

  if (caps.dialect === 'postgres') {
    await sql`
      create function runledger_step_result_audit() returns trigger language plpgsql as $$
      begin
        if new.to_state in ${sql.raw(RESULT_STATES)} then
          insert into step_result_audit (id, task_run_id, transition_id, execution_id, recorded_at, worker_id, correlation_id, success, execution_time_ms)
          values (new.id, new.task_run_id, new.id, new.execution_id, new.created_at,
                  new.metadata->>'workerId', new.metadata->>'correlationId',
                  coalesce((new.metadata->>'success')::boolean, new.to_state = 'succeeded'),
                  (new.metadata->>'executionTimeMs')::integer)
          on conflict do nothing;
        end if;
        return new;
      end $$`.execute(db);
    await sql`create trigger task_run_transitions_step_result_audit after insert on task_run_transitions
              for each row execute function runledger_step_result_audit()`.execute(db);
    await sql`
      create function runledger_reject_audit_change() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' and exists (select 1 from audit_purge_window) then
          return old;
        end if;
        raise exception 'audit rows are append-only: % on % refused', tg_op, tg_table_name using errcode = '42501';
      end $$`.execute(db);
    for (const table of ['audit_events', 'step_result_audit']) {
      await sql`create trigger ${sql.raw(`${table}_append_only`)} before update or delete on ${sql.table(table)}
                for each row execute function runledger_reject_audit_change()`.execute(db);
      await sql`create trigger ${sql.raw(`${table}_no_truncate`)} before truncate on ${sql.table(table)}
                for each statement execute function runledger_reject_audit_change()`.execute(db);
    }
  } else {
    await sql`
      create trigger task_run_transitions_step_result_audit after insert on task_run_transitions
      when new.to_state in ${sql.raw(RESULT_STATES)}
      begin
        insert or ignore into step_result_audit (id, task_run_id, transition_id, execution_id, recorded_at, worker_id, correlation_id, success, execution_time_ms)
        values (new.id, new.task_run_id, new.id, new.execution_id, new.created_at,
                json_extract(new.metadata, '$.workerId'), json_extract(new.metadata, '$.correlationId'),
                coalesce(json_extract(new.metadata, '$.success'), new.to_state = 'succeeded'),
                json_extract(new.metadata, '$.executionTimeMs'));
      end`.execute(db);
    for (const table of ['audit_events', 'step_result_audit']) {
      await sql`create trigger ${sql.raw(`${table}_no_update`)} before update on ${sql.table(table)}
                begin select raise(abort, 'audit rows are append-only: UPDATE refused'); end`.execute(db);
      await sql`create trigger ${sql.raw(`${table}_no_delete`)} before delete on ${sql.table(table)}
                when not exists (select 1 from audit_purge_window)
                begin select raise(abort, 'audit rows are append-only: DELETE refused'); end`.execute(db);
    }
  }

  // Backfill: results recorded before this migration get their rows, with no attribution.
  await sql`
    insert into step_result_audit (id, task_run_id, transition_id, execution_id, recorded_at, worker_id, correlation_id, success, execution_time_ms)
    select t.id, t.task_run_id, t.id, t.execution_id, t.created_at, null, null,
           ${caps.dialect === 'postgres' ? sql`t.to_state = 'succeeded'` : sql`case when t.to_state = 'succeeded' then 1 else 0 end`}, null
    from task_run_transitions t
    where t.to_state in ${sql.raw(RESULT_STATES)}
      and not exists (select 1 from step_result_audit s where s.transition_id = t.id)`.execute(db);
}

export async function down(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void> {
  if (caps.dialect === 'postgres') {
    await sql`drop trigger task_run_transitions_step_result_audit on task_run_transitions`.execute(db);
    for (const table of ['audit_events', 'step_result_audit']) {
      await sql`drop trigger ${sql.raw(`${table}_append_only`)} on ${sql.table(table)}`.execute(db);
      await sql`drop trigger ${sql.raw(`${table}_no_truncate`)} on ${sql.table(table)}`.execute(db);
    }
    await sql`drop function runledger_step_result_audit()`.execute(db);
    await sql`drop function runledger_reject_audit_change()`.execute(db);
  } else {
    await sql`drop trigger task_run_transitions_step_result_audit`.execute(db);
    for (const table of ['audit_events', 'step_result_audit']) {
      await sql`drop trigger ${sql.raw(`${table}_no_update`)}`.execute(db);
      await sql`drop trigger ${sql.raw(`${table}_no_delete`)}`.execute(db);
    }
  }
  await db.schema.dropTable('audit_purge_window').execute();
  await db.schema.dropTable('step_result_audit').execute();
}
