import type { Kysely } from 'kysely';
import type { Actor } from '../domain/records.ts';
import { nowIso } from '../domain/time.ts';
import { listAuditChain } from '../store/audit-event-repository.ts';
import type { DialectCapabilities } from '../store/capabilities.ts';
import type { Database } from '../store/database-schema.ts';
import { droppableLogPartitions, dropLogPartition, ensureLogPartitions } from '../store/log-partition-repository.ts';
import {
  countExpiredLogLines,
  deleteExpiredLogLines,
  expiredAuditChains,
  purgeExecutionAudit,
  type RetentionCriteria,
} from '../store/retention-repository.ts';
import { countFiresBefore, deleteFiresBefore } from '../store/trigger-fire-repository.ts';
import { writeCheckpoint } from './audit-checkpoints.ts';
import { recordAuditEvent } from './audit-logger.ts';
import type { AuditSigner } from './audit-signer.ts';

const DAY_MS = 86_400_000;
const BATCH = 1000;

export interface RetentionPolicy {
  /** Log lines of executions that ended more than this many days ago are deleted, and trigger fires recorded that long ago. */
  logDays: number;
  /** Audit chains of executions that ended more than this many days ago are purged. */
  auditDays: number;
  /** Executions that ended more than this many days ago are deleted (softly); null keeps them forever. */
  recordDays?: number | null;
}

export interface CleanupRequest {
  /** Overrides the log retention for this run. */
  olderThanDays?: number | undefined;
  status?: string | undefined;
  dryRun: boolean;
}

export interface CleanupReport {
  dryRun: boolean;
  logLines: { before: string; deleted: number };
  audit: { before: string; chains: number; events: number };
  /** The history of schedule and webhook fires (`workflow schedules`), kept as long as log lines. */
  triggerFires: { before: string; deleted: number };
}

export interface RetentionDeps {
  db: Kysely<Database>;
  signer: AuditSigner;
  reclaimSpace(): Promise<void>;
  /** The store's capabilities; without them (or without `partitions`) log lines are only deleted row by row. */
  caps?: Pick<DialectCapabilities, 'partitions'> | undefined;
}

/**
 * Retention: deletes log lines of long-ended executions in batches of 1000 (writers never wait
 * long) — where the store partitions logs by day, first dropping whole the days whose every
 * execution has expired — and purges whole audit chains of executions past the audit retention
 * inside the purge window, leaving a signed checkpoint of what remains so `audit verify` still
 * passes. The cleanup itself is an audit event. A dry run counts the same lines and changes nothing.
 */
export async function runCleanup(
  deps: RetentionDeps,
  policy: RetentionPolicy,
  request: CleanupRequest,
  actor: Actor,
  onProgress?: (deleted: number) => void,
): Promise<CleanupReport> {
  const now = Date.now();
  const logs: RetentionCriteria = {
    endedBefore: new Date(now - (request.olderThanDays ?? policy.logDays) * DAY_MS).toISOString(),
    status: request.status,
  };
  const audit: RetentionCriteria = { endedBefore: new Date(now - policy.auditDays * DAY_MS).toISOString(), status: request.status };
  // Fires are no execution's: the policy's log retention applies to them, whatever the request's filters.
  const firesBefore = new Date(now - policy.logDays * DAY_MS).toISOString();
  const chains = await expiredAuditChains(deps.db, audit);
  const report: CleanupReport = {
    dryRun: request.dryRun,
    logLines: { before: logs.endedBefore, deleted: 0 },
    audit: { before: audit.endedBefore, chains: chains.length, events: chains.reduce((n, c) => n + c.events, 0) },
    triggerFires: { before: firesBefore, deleted: 0 },
  };
  if (request.dryRun) {
    report.logLines.deleted = await countExpiredLogLines(deps.db, logs);
    report.triggerFires.deleted = await countFiresBefore(deps.db, firesBefore);
    return report;
  }
  if (deps.caps?.partitions) {
    await ensureLogPartitions(deps.db, now);
    // Dropping a day removes only lines the batched delete would take (droppableLogPartitions), so
    // the count matches a dry run. Like that delete, it leaves executions.log_entry_count as it
    // is, so the API reports the same execution whichever path removed its lines.
    for (const partition of await droppableLogPartitions(deps.db, logs)) {
      const dropped = await dropLogPartition(deps.db, partition.name);
      if (dropped === null) continue; // lock busy: the batched delete below takes its lines
      report.logLines.deleted += dropped;
      onProgress?.(report.logLines.deleted);
    }
  }
  for (;;) {
    const deleted = await deleteExpiredLogLines(deps.db, logs, BATCH);
    if (deleted === 0) break;
    report.logLines.deleted += deleted;
    onProgress?.(report.logLines.deleted);
  }
  for (;;) {
    const deleted = await deleteFiresBefore(deps.db, firesBefore, BATCH);
    if (deleted === 0) break;
    report.triggerFires.deleted += deleted;
  }
  if (chains.length > 0) {
    // The checkpoint before holds the last hash of every chain about to go; the one after is what
    // verification checks from now on.
    await writeCheckpoint(deps.db, deps.signer, 'before retention purge');
    for (const chain of chains) await purgeExecutionAudit(deps.db, chain.id, nowIso());
    await writeCheckpoint(deps.db, deps.signer, `after retention purge of ${chains.length} execution chains`);
  }
  await deps.db.transaction().execute((trx) =>
    recordAuditEvent(trx, {
      subjectType: 'system',
      subjectId: 'retention',
      eventType: 'RETENTION_CLEANUP',
      actor,
      metadata: { ...report },
    }),
  );
  await deps.reclaimSpace();
  return report;
}

/** Records the retention settings when they differ from the last ones recorded: a change is audited. */
export async function recordRetentionSettings(db: Kysely<Database>, policy: RetentionPolicy, actor: Actor): Promise<boolean> {
  const chain = await listAuditChain(db, 'system', 'retention-settings');
  const last = chain.at(-1)?.metadata as Partial<RetentionPolicy> | undefined;
  const settings = { logDays: policy.logDays, auditDays: policy.auditDays, recordDays: policy.recordDays ?? null };
  const same = last && last.logDays === settings.logDays && last.auditDays === settings.auditDays;
  if (same && (last.recordDays ?? null) === settings.recordDays) return false;
  await db.transaction().execute((trx) =>
    recordAuditEvent(trx, {
      subjectType: 'system',
      subjectId: 'retention-settings',
      eventType: last ? 'RETENTION_CHANGED' : 'RETENTION_SET',
      actor,
      metadata: {
        ...settings,
        ...(last ? { previous: { logDays: last.logDays, auditDays: last.auditDays, recordDays: last.recordDays ?? null } } : {}),
      },
    }),
  );
  return true;
}
