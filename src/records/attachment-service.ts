import type { Readable } from 'node:stream';
import type { AttachmentCheckReport } from '../domain/attachment-check.ts';
import { AttachmentNotFoundError, StorageUnavailableError, ThumbnailNotAvailableError } from '../domain/errors.ts';
import type { Actor, Attachment, Execution } from '../domain/records.ts';
import { nowIso } from '../domain/time.ts';
import { recordAuditEvent } from '../observe/audit-logger.ts';
import { getLiveAttachment, listAttachmentsByExecution, markAttachmentDeleted } from '../store/attachment-repository.ts';
import { attachmentAuditFacts, type AttachmentDeps, type AttachmentSettings } from './attachment-settings.ts';
import { BlobNotFoundError } from './blob-storage.ts';
import { checkAttachments } from './check-attachments.ts';
import { purgeDeletedAttachments, type PurgeReport } from './purge-deleted-attachments.ts';
import { servedContentType } from './served-content-type.ts';
import { ThumbnailJob } from './thumbnail-job.ts';
import { assertEvidenceCanChange, storageFailure, uploadAttachment, type UploadRequest } from './upload-attachment.ts';

/**
 * Evidence files of executions: upload, read, delete, purge and check. Access decisions are the
 * caller's (the API asks the access policy first); this keeps the record consistent: bytes in
 * storage, a row per file, an audit event per change. It delegates to one module per operation.
 */
export class AttachmentService {
  readonly #deps: AttachmentDeps;
  readonly #thumbnails: ThumbnailJob;

  constructor(deps: AttachmentDeps) {
    this.#deps = deps;
    this.#thumbnails = new ThumbnailJob(deps);
  }

  get settings(): Readonly<AttachmentSettings> {
    return this.#deps.settings;
  }

  /** Resumes thumbnails a previous process left pending. */
  async start(): Promise<void> {
    await this.#thumbnails.resume();
  }

  /** Waits for the thumbnail being made; the rest stay pending for the next start. */
  async close(): Promise<void> {
    await this.#thumbnails.stop();
  }

  /** Resolves once every queued thumbnail is made or has failed (tests, and a clean stop). */
  async thumbnailsIdle(): Promise<void> {
    await this.#thumbnails.idle();
  }

  /** Streams the file into storage and records it; the thumbnail follows in the background. */
  async upload(body: Readable, request: UploadRequest): Promise<Attachment> {
    const attachment = await uploadAttachment(this.#deps, body, request);
    if (attachment.thumbnailStatus === 'pending') this.#thumbnails.enqueue(attachment.id);
    return attachment;
  }

  /** An execution's attachments that are not deleted, oldest first. */
  async list(executionId: string): Promise<Attachment[]> {
    return listAttachmentsByExecution(this.#deps.db, executionId);
  }

  /** The attachment, unless it, or its execution, was deleted. */
  async find(id: string): Promise<Attachment> {
    const attachment = await getLiveAttachment(this.#deps.db, id);
    if (!attachment) throw new AttachmentNotFoundError(id);
    return attachment;
  }

  /** The stored bytes. A missing object is the store's failure, not the reader's: `attachments check` reports it. */
  async open(attachment: Attachment): Promise<Readable> {
    return this.#get(attachment.storageKey);
  }

  /**
   * A short-lived URL the client downloads from directly (S3), asking the bucket for the same
   * Content-Disposition and Content-Type the API would send; null when the API must stream the bytes.
   */
  async presignedUrl(attachment: Attachment): Promise<{ url: string; expiresAt: string } | null> {
    const expiresInSeconds = this.#deps.settings.urlTtlSeconds;
    // Taken before signing, so the URL never outlives the time we state.
    const expiresAt = new Date(Date.now() + expiresInSeconds * 1000).toISOString();
    try {
      const url = await this.#deps.storage.presignedGetUrl(attachment.storageKey, {
        expiresInSeconds,
        fileName: attachment.fileName,
        contentType: servedContentType(attachment.mediaType),
      });
      return url === null ? null : { url, expiresAt };
    } catch (e: unknown) {
      throw storageFailure(e);
    }
  }

  /** The WebP thumbnail; 404 THUMBNAIL_NOT_AVAILABLE (with the status) when there is none to show. */
  async openThumbnail(attachment: Attachment): Promise<Readable> {
    const { thumbnailStatus, thumbnailKey } = attachment;
    if (thumbnailStatus !== 'ready' || thumbnailKey === null) {
      const why = { pending: 'is not made yet', failed: 'could not be made', none: 'is only made for raster images', ready: 'is missing' };
      throw new ThumbnailNotAvailableError(`The thumbnail of attachment ${attachment.id} ${why[thumbnailStatus]}`, {
        id: attachment.id,
        thumbnailStatus,
      });
    }
    return this.#get(thumbnailKey);
  }

  /**
   * Soft delete: the row gets deleted_at/by and an ATTACHMENT_DELETED audit event, the bytes stay
   * until the purge after the grace period.
   */
  async delete(attachment: Attachment, execution: Execution, actor: Actor): Promise<{ id: string; deletedAt: string }> {
    assertEvidenceCanChange(execution);
    const deletedAt = nowIso();
    await this.#deps.db.transaction().execute(async (trx) => {
      if (!(await markAttachmentDeleted(trx, attachment.id, actor.userId, deletedAt))) throw new AttachmentNotFoundError(attachment.id);
      await recordAuditEvent(trx, {
        subjectType: 'execution',
        subjectId: execution.id,
        executionId: execution.id,
        eventType: 'ATTACHMENT_DELETED',
        actor,
        metadata: attachmentAuditFacts(attachment),
      });
    });
    return { id: attachment.id, deletedAt };
  }

  /** Removes the bytes of attachments deleted more than the grace period before `now`. */
  async purgeDeleted(options: { now?: Date } = {}): Promise<PurgeReport> {
    return purgeDeletedAttachments(this.#deps, options);
  }

  /** Rows whose objects are missing or altered, and objects without rows. */
  /** With `clean`, also removes the temporary files of uploads that never finished. */
  async check(options: { clean?: boolean } = {}): Promise<AttachmentCheckReport> {
    return checkAttachments(this.#deps, options);
  }

  async #get(key: string): Promise<Readable> {
    try {
      return await this.#deps.storage.get(key);
    } catch (e: unknown) {
      if (e instanceof BlobNotFoundError) {
        throw new StorageUnavailableError('The stored object is missing; an admin can run `runledger attachments check`', {
          reason: 'OBJECT_MISSING',
        });
      }
      throw storageFailure(e);
    }
  }
}
