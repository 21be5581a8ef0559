import { createHash } from 'node:crypto';
import type { AttachmentCheckReport, AttachmentProblem } from '../domain/attachment-check.ts';
import type { Attachment } from '../domain/records.ts';
import { listStoredAttachments, storedKeysAmong } from '../store/attachment-repository.ts';
import { recordedAttachmentFacts } from '../store/audit-event-repository.ts';
import { ATTACHMENT_KEY_PREFIX, type AttachmentDeps } from './attachment-settings.ts';
import { BlobNotFoundError, type BlobStorage } from './blob-storage.ts';

const BATCH = 500;
const STALE_UPLOAD_AGE_MS = 60 * 60 * 1000;

/**
 * Compares storage with the rows and the audit trail: every attachment not yet purged (deleted ones
 * included, their bytes are kept until the purge) must have its object with the SHA-256 its
 * ATTACHMENT_ADDED event recorded (and its row must say the same), re-hashed here by
 * streaming it; every object under `attachments/` must belong to such a row. Memory stays flat: rows
 * and keys are taken in pages. An upload in progress can show up as an orphan for its few moments
 * between storing the bytes and committing the row.
 */
export async function checkAttachments(deps: AttachmentDeps, options: { clean?: boolean } = {}): Promise<AttachmentCheckReport> {
  const report: AttachmentCheckReport = {
    checked: 0,
    missing: [],
    altered: [],
    orphans: [],
    staleUploads: [],
    staleUploadsRemoved: false,
    ok: true,
  };
  for (let after: string | null = null; ;) {
    const rows = await listStoredAttachments(deps.db, after, BATCH);
    // The upload's own account, in its audit event: a file replaced together with its row's sha256
    // still differs from it. (Where retention purged the execution's chain, the row is all there is.)
    const recorded = await recordedAttachmentFacts(
      deps.db,
      rows.map((a) => a.executionId),
    );
    for (const attachment of rows) {
      report.checked++;
      const audited = recorded.get(attachment.id);
      const expected = {
        sha256: typeof audited?.sha256 === 'string' ? audited.sha256 : attachment.sha256,
        size: typeof audited?.sizeBytes === 'number' ? audited.sizeBytes : attachment.sizeBytes,
      };
      const actual = await hashObject(deps.storage, attachment.storageKey);
      if (actual === null) report.missing.push(problemOf(attachment));
      else if (
        actual.sha256 !== expected.sha256 ||
        actual.size !== expected.size ||
        attachment.sha256 !== expected.sha256 ||
        attachment.sizeBytes !== expected.size
      ) {
        report.altered.push({
          ...problemOf(attachment),
          expectedSha256: expected.sha256,
          actualSha256: actual.sha256,
          expectedSizeBytes: expected.size,
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
  // An upload in progress is younger than this; one older was cut off and will never finish.
  report.staleUploads = await deps.storage.staleUploads(new Date(Date.now() - STALE_UPLOAD_AGE_MS));
  if (options.clean && report.staleUploads.length > 0) {
    for (const name of report.staleUploads) await deps.storage.removeStaleUpload(name);
    report.staleUploadsRemoved = true;
  }
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
