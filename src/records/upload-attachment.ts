import type { Readable } from 'node:stream';
import { isTerminalExecutionStatus } from '../domain/execution-status.ts';
import {
  AttachmentTooLargeError,
  ForbiddenError,
  QuotaExceededError,
  RecordEndedError,
  RunledgerError,
  StorageFullError,
  StorageUnavailableError,
  TaskRunNotFoundError,
  ValidationError,
} from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Actor, Attachment, Execution, TaskRun } from '../domain/records.ts';
import { nowIso } from '../domain/time.ts';
import { recordAuditEvent } from '../observe/audit-logger.ts';
import { insertAttachment, lockQuotaOf, storedBytesOf } from '../store/attachment-repository.ts';
import { attachmentAuditFacts, attachmentKey, type AttachmentDeps } from './attachment-settings.ts';
import { sanitizeFileName } from './attachment-file-name.ts';
import { BlobTooLargeError, type BlobStorage } from './blob-storage.ts';
import { servedContentType } from './served-content-type.ts';
import { isRasterImage, sniffHead, sniffMediaType } from './sniff-media-type.ts';

export interface UploadRequest {
  execution: Execution;
  taskRun: TaskRun;
  /** As the client named it; kept only as sanitised display text. */
  fileName: string;
  actor: Actor;
}

/** Evidence of an ended execution is final: nothing is added or removed once it has completed, failed or stopped. */
export function assertEvidenceCanChange(execution: Execution): void {
  if (isTerminalExecutionStatus(execution.status)) {
    throw new RecordEndedError(`Execution ${execution.id} has ended (${execution.status}); its evidence can no longer change`, {
      id: execution.id,
      status: execution.status,
    });
  }
}

/**
 * Streams one upload into storage and records it. The bytes are never held whole: the first 4 KiB
 * are read to sniff the type, then everything streams through the size cap and the SHA-256 into
 * storage. The cap is the smaller of the upload limit and what is left of the uploader's quota. The
 * row and its ATTACHMENT_ADDED audit event commit together; if anything fails, before or after the
 * bytes were stored, the object is removed again, so storage never holds evidence without a row.
 */
export async function uploadAttachment(deps: AttachmentDeps, body: Readable, request: UploadRequest): Promise<Attachment> {
  const { execution, taskRun, actor } = request;
  if (taskRun.executionId !== execution.id) throw new TaskRunNotFoundError(taskRun.id);
  assertEvidenceCanChange(execution);
  const uploader = actor.userId;
  if (uploader === null) throw new ForbiddenError('Only a person can attach evidence');
  const { maxBytes, userQuotaBytes } = deps.settings;
  const remaining = userQuotaBytes > 0 ? userQuotaBytes - (await storedBytesOf(deps.db, uploader)) : Infinity;
  if (remaining <= 0) throw quotaExceeded(userQuotaBytes);
  const limit = Math.min(maxBytes, remaining);

  const id = newId();
  const key = attachmentKey(execution.id, id);
  let sourceError: Error | undefined;
  // Tells a client that broke off or sent malformed multipart apart from a storage failure.
  body.once('error', (e: Error) => (sourceError ??= e));
  let stored: { size: number; sha256: string; mediaType: string };
  try {
    const { head, stream } = await sniffHead(body);
    const mediaType = await sniffMediaType(head);
    // The object carries the served type too, in case the bucket is ever read directly.
    const blob = await deps.storage.put(key, stream, { maxBytes: limit, contentType: servedContentType(mediaType) });
    stored = { ...blob, mediaType };
  } catch (e: unknown) {
    await removeQuietly(deps.storage, key);
    if (e instanceof BlobTooLargeError) throw limit < maxBytes ? quotaExceeded(userQuotaBytes) : tooLarge(maxBytes);
    // A failing disk fails the request body too (the pipeline destroys it with the disk's error): the disk comes first.
    if (isStorageErrno(e)) throw storageFailure(e);
    if (sourceError) throw new ValidationError(`The upload was interrupted or malformed: ${sourceError.message}`);
    throw storageFailure(e);
  }

  const attachment: Attachment = {
    id,
    executionId: execution.id,
    taskRunId: taskRun.id,
    fileName: sanitizeFileName(request.fileName),
    sizeBytes: stored.size,
    mediaType: stored.mediaType,
    sha256: stored.sha256,
    storage: deps.storage.kind,
    storageKey: key,
    thumbnailKey: null,
    thumbnailStatus: isRasterImage(stored.mediaType) ? 'pending' : 'none',
    thumbnailError: null,
    uploadedBy: uploader,
    createdAt: nowIso(),
    deletedAt: null,
    deletedBy: null,
    purgedAt: null,
  };
  try {
    await deps.db.transaction().execute(async (trx) => {
      // Checked again with the size known, one upload of this person at a time: two uploads racing
      // past the first check must not both land.
      if (userQuotaBytes > 0) {
        await lockQuotaOf(trx, uploader);
        if ((await storedBytesOf(trx, uploader)) + stored.size > userQuotaBytes) throw quotaExceeded(userQuotaBytes);
      }
      await insertAttachment(trx, attachment);
      await recordAuditEvent(trx, {
        subjectType: 'execution',
        subjectId: execution.id,
        executionId: execution.id,
        eventType: 'ATTACHMENT_ADDED',
        actor,
        metadata: { ...attachmentAuditFacts(attachment), taskId: taskRun.taskId },
      });
    });
  } catch (e: unknown) {
    await removeQuietly(deps.storage, key);
    throw e;
  }
  return attachment;
}

/** Best effort: the original failure is what the caller needs to hear about; the check reports any leftover as an orphan. */
async function removeQuietly(storage: BlobStorage, key: string): Promise<void> {
  await storage.delete(key).catch(() => undefined);
}

function tooLarge(maxBytes: number): AttachmentTooLargeError {
  return new AttachmentTooLargeError(`The file is larger than the limit of ${maxBytes} bytes; nothing was stored`, { maxBytes });
}

function quotaExceeded(quotaBytes: number): QuotaExceededError {
  return new QuotaExceededError(`The file would take you past your storage quota of ${quotaBytes} bytes; nothing was stored`, {
    quotaBytes,
  });
}

/** Errors of the file system under the local attachment store, not of the request. */
const STORAGE_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS', 'EACCES', 'EPERM', 'EMFILE', 'ENFILE']);
const NO_ROOM = new Set(['ENOSPC', 'EDQUOT']);

function isStorageErrno(e: unknown): boolean {
  return typeof e === 'object' && e !== null && STORAGE_ERRNOS.has(String((e as { code?: unknown }).code));
}

/** Names the failure by its code only: messages of file system and S3 errors carry server paths and bucket names. */
export function storageFailure(e: unknown): RunledgerError {
  if (e instanceof RunledgerError) return e;
  const error: Error & { code?: unknown } = e instanceof Error ? e : new Error(String(e));
  const code = typeof error.code === 'string' ? error.code : error.name;
  if (NO_ROOM.has(code)) return new StorageFullError(`The attachment store is full (${code}); nothing was stored`, { reason: code });
  return new StorageUnavailableError(`The attachment store failed (${code}); try again later`, { reason: code });
}
