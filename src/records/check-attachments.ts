import { createHash } from 'node:crypto';
import type { AttachmentCheckReport, AttachmentProblem } from '../domain/attachment-check.ts';
import type { Attachment } from '../domain/records.ts';
import { listStoredAttachments, storedKeysAmong } from '../store/attachment-repository.ts';
import { ATTACHMENT_KEY_PREFIX, type AttachmentDeps } from './attachment-settings.ts';
import { BlobNotFoundError, type BlobStorage } from './blob-storage.ts';

const BATCH = 500;

/**
 * Compares storage with the rows: every attachment not yet purged (deleted ones included, their
 * bytes are kept until the purge) must have its object with the recorded SHA-256, re-hashed here by
 * streaming it; every object under `attachments/` must belong to such a row. Memory stays flat: rows
 * and keys are taken in pages. An upload in progress can show up as an orphan for its few moments
 * between storing the bytes and committing the row.
 */
export async function checkAttachments(deps: AttachmentDeps): Promise<AttachmentCheckReport> {
  const report: AttachmentCheckReport = { checked: 0, missing: [], altered: [], orphans: [], ok: true };
  for (let after: string | null = null; ;) {
    const rows = await listStoredAttachments(deps.db, after, BATCH);
    for (const attachment of rows) {
      report.checked++;
      const actual = await hashObject(deps.storage, attachment.storageKey);
      if (actual === null) report.missing.push(problemOf(attachment));
      else if (actual.sha256 !== attachment.sha256 || actual.size !== attachment.sizeBytes) {
        report.altered.push({
          ...problemOf(attachment),
          expectedSha256: attachment.sha256,
          actualSha256: actual.sha256,
          expectedSizeBytes: attachment.sizeBytes,
          actualSizeBytes: actual.size,
        });
      }
    }
    if (rows.length < BATCH) break;
    after = rows.at(-1)!.id;
  }
  let keys: string[] = [];
  const findOrphans = async () => {
    const known = await storedKeysAmong(deps.db, keys);
    report.orphans.push(...keys.filter((k) => !known.has(k)));
    keys = [];
  };
  for await (const key of deps.storage.list(ATTACHMENT_KEY_PREFIX)) {
    keys.push(key);
    if (keys.length === BATCH) await findOrphans();
  }
  await findOrphans();
  report.orphans.sort();
  report.ok = report.missing.length === 0 && report.altered.length === 0 && report.orphans.length === 0;
  return report;
}

/** The object's SHA-256 and size, streamed; null when there is no object. */
async function hashObject(storage: BlobStorage, key: string): Promise<{ sha256: string; size: number } | null> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of await storage.get(key)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch (e: unknown) {
    if (e instanceof BlobNotFoundError) return null;
    throw e;
  }
  return { sha256: hash.digest('hex'), size };
}

function problemOf(a: Attachment): AttachmentProblem {
  return { id: a.id, executionId: a.executionId, taskRunId: a.taskRunId, fileName: a.fileName, storageKey: a.storageKey };
}
