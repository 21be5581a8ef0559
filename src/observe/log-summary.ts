import type { Kysely } from 'kysely';
import { isTerminalExecutionStatus } from '../domain/execution-status.ts';
import type { Execution } from '../domain/records.ts';
import { listAuditChain } from '../store/audit-event-repository.ts';
import type { Database } from '../store/database-schema.ts';
import { logExtent } from '../store/execution-log-repository.ts';

const DAY_MS = 86_400_000;

export interface LogRetentionGap {
  fromSeq: number;
  toSeq: number;
  deletedAt: string | null;
  retentionDays: number | null;
}

export interface LogSummary {
  firstSeq: number | null;
  lastSeq: number;
  lineCount: number;
  written: number;
  deleted: LogRetentionGap | null;
  ended: boolean;
}

interface CleanupMetadata {
  dryRun?: boolean;
  logLines?: { before?: string; deleted?: number };
}

/**
 * Where an execution's log begins and ends, and which lines retention removed. Seqs run 1… per
 * execution and retention takes an ended execution's lines whole, so the lines missing are always
 * the first ones; the cleanup that took them is the first real one (audited as RETENTION_CLEANUP)
 * whose cutoff lay after the execution ended and that deleted lines.
 */
export async function summariseLog(db: Kysely<Database>, execution: Execution): Promise<LogSummary> {
  const extent = await logExtent(db, execution.id);
  const written = Math.max(execution.logEntryCount, extent.lastSeq ?? 0);
  const lastSeq = extent.lastSeq ?? written;
  const missingTo = extent.firstSeq === null ? written : extent.firstSeq - 1;
  let deleted: LogRetentionGap | null = null;
  if (missingTo >= 1) {
    deleted = { fromSeq: 1, toSeq: missingTo, deletedAt: null, retentionDays: null };
    const ended = execution.completedAt;
    if (ended) {
      const cleanup = (await listAuditChain(db, 'system', 'retention')).find((event) => {
        const m = event.metadata as CleanupMetadata;
        return !m.dryRun && (m.logLines?.deleted ?? 0) > 0 && (m.logLines?.before ?? '') > ended && event.createdAt >= ended;
      });
      if (cleanup) {
        const before = (cleanup.metadata as CleanupMetadata).logLines?.before;
        deleted.deletedAt = cleanup.createdAt;
        deleted.retentionDays = before ? Math.round((Date.parse(cleanup.createdAt) - Date.parse(before)) / DAY_MS) : null;
      }
    }
  }
  return {
    firstSeq: extent.firstSeq,
    lastSeq,
    lineCount: extent.count,
    written,
    deleted,
    ended: isTerminalExecutionStatus(execution.status),
  };
}
