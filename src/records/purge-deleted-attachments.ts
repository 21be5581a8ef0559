import { nowIso } from '../domain/time.ts';
import { recordAuditEvent, SYSTEM_ACTOR } from '../observe/audit-logger.ts';
import { listPurgeableAttachments, markAttachmentPurged } from '../store/attachment-repository.ts';
import { attachmentAuditFacts, thumbnailKey, type AttachmentDeps } from './attachment-settings.ts';

const DAY_MS = 86_400_000;
const BATCH = 100;

export interface PurgeReport {
  /** Attachments whose objects were removed (and marked purged). */
  purged: number;
  /** Attachments whose objects could not be removed; retried on the next run. */
  failed: { id: string; reason: string }[];
}

/**
 * Removes from storage the objects (and thumbnails) of attachments deleted — or whose execution was
 * deleted — more than the grace period before `now`, then marks each row purged with an
 * ATTACHMENT_PURGED audit event on its execution's chain. Objects go first: a crash in between leaves
 * a row that the next run purges again (deleting a missing object is harmless), never a purged row
 * whose bytes linger. Until the purge, a deleted execution can be restored with its evidence.
 */
export async function purgeDeletedAttachments(deps: AttachmentDeps, options: { now?: Date } = {}): Promise<PurgeReport> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - deps.settings.deleteGraceDays * DAY_MS).toISOString();
  const report: PurgeReport = { purged: 0, failed: [] };
  for (let after: string | null = null; ;) {
    const batch = await listPurgeableAttachments(deps.db, cutoff, after, BATCH);
    for (const { attachment, reason, deletedAt } of batch) {
      try {
        await deps.storage.delete(attachment.storageKey);
        await deps.storage.delete(attachment.thumbnailKey ?? thumbnailKey(attachment.executionId, attachment.id));
      } catch (e: unknown) {
        report.failed.push({ id: attachment.id, reason: e instanceof Error ? e.message : String(e) });
        continue;
      }
      const purged = await deps.db.transaction().execute(async (trx) => {
        if (!(await markAttachmentPurged(trx, attachment.id, nowIso()))) return false;
        await recordAuditEvent(trx, {
          subjectType: 'execution',
          subjectId: attachment.executionId,
          executionId: attachment.executionId,
          eventType: 'ATTACHMENT_PURGED',
          actor: SYSTEM_ACTOR, // the purge runs on its own schedule; no person asked for it
          metadata: {
            ...attachmentAuditFacts(attachment),
            reason,
            deletedAt,
            graceDays: deps.settings.deleteGraceDays,
          },
        });
        return true;
      });
      if (purged) report.purged++;
    }
    if (batch.length < BATCH) return report;
    after = batch.at(-1)!.attachment.id;
  }
}
