import type { Kysely } from 'kysely';
import type { Attachment } from '../domain/records.ts';
import type { Database } from '../store/database-schema.ts';
import type { BlobStorage } from './blob-storage.ts';

/** Limits and lifetimes of evidence files (config.ts reads them from ATTACHMENT_* variables). */
export interface AttachmentSettings {
  /** Largest single upload, in bytes. */
  maxBytes: number;
  /** Bytes one person may have stored and not yet purged; 0 = no quota. */
  userQuotaBytes: number;
  /** Days between a deletion (of the attachment or its execution) and the purge of its bytes. */
  deleteGraceDays: number;
  /** Lifetime of a pre-signed download URL. */
  urlTtlSeconds: number;
  /** Largest width × height a thumbnail is made from (default: thumbnail.ts's 40 MP). */
  thumbnailMaxInputPixels?: number;
}

/** What every attachment operation works on: the store for rows, the blob storage for bytes. */
export interface AttachmentDeps {
  db: Kysely<Database>;
  storage: BlobStorage;
  settings: AttachmentSettings;
}

/**
 * Where an attachment's bytes live. Made from two server-generated UUIDs only: nothing a client
 * sends (least of all the file name) ever becomes part of a path or key.
 */
export function attachmentKey(executionId: string, attachmentId: string): string {
  return `${ATTACHMENT_KEY_PREFIX}${executionId}/${attachmentId}`;
}

/** Where an attachment's thumbnail lives; deterministic, so a purge can remove it without a row saying so. */
export function thumbnailKey(executionId: string, attachmentId: string): string {
  return `thumbnails/${executionId}/${attachmentId}.webp`;
}

/** Every attachment object's key starts with this; the consistency check lists it for orphans. */
export const ATTACHMENT_KEY_PREFIX = 'attachments/';

/** What every audit event about an attachment says of it: enough to identify the file and prove its bytes. */
export function attachmentAuditFacts(a: Pick<Attachment, 'id' | 'taskRunId' | 'fileName' | 'sizeBytes' | 'mediaType' | 'sha256'>) {
  return {
    attachmentId: a.id,
    taskRunId: a.taskRunId,
    fileName: a.fileName,
    sizeBytes: a.sizeBytes,
    mediaType: a.mediaType,
    sha256: a.sha256,
  };
}
