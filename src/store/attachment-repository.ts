import { PostgresAdapter, sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Attachment, ThumbnailStatus } from '../domain/records.ts';
import type { AttachmentsTable, Database } from './database-schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

function toAttachment(row: Selectable<AttachmentsTable>): Attachment {
  return {
    id: row.id,
    executionId: row.execution_id,
    taskRunId: row.task_run_id,
    fileName: row.file_name,
    sizeBytes: Number(row.size_bytes),
    mediaType: row.media_type,
    sha256: row.sha256,
    storage: row.storage as Attachment['storage'],
    storageKey: row.storage_key,
    thumbnailKey: row.thumbnail_key,
    thumbnailStatus: row.thumbnail_status as ThumbnailStatus,
    thumbnailError: row.thumbnail_error,
    uploadedBy: row.uploaded_by,
    createdAt: row.created_at,
    deletedAt: row.deleted_at,
    deletedBy: row.deleted_by,
    purgedAt: row.purged_at,
  };
}

export type NewAttachment = Pick<
  Attachment,
  | 'id'
  | 'executionId'
  | 'taskRunId'
  | 'fileName'
  | 'sizeBytes'
  | 'mediaType'
  | 'sha256'
  | 'storage'
  | 'storageKey'
  | 'thumbnailStatus'
  | 'uploadedBy'
  | 'createdAt'
>;

export async function insertAttachment(db: Db, a: NewAttachment): Promise<void> {
  await db
    .insertInto('attachments')
    .values({
      id: a.id,
      execution_id: a.executionId,
      task_run_id: a.taskRunId,
      file_name: a.fileName,
      size_bytes: a.sizeBytes,
      media_type: a.mediaType,
      sha256: a.sha256,
      storage: a.storage,
      storage_key: a.storageKey,
      thumbnail_key: null,
      thumbnail_status: a.thumbnailStatus,
      thumbnail_error: null,
      uploaded_by: a.uploadedBy,
      created_at: a.createdAt,
      deleted_at: null,
      deleted_by: null,
      purged_at: null,
    })
    .execute();
}

/** The attachment whatever its state (deleted, purged): callers decide what a reader may see. */
export async function getAttachment(db: Db, id: string): Promise<Attachment | undefined> {
  const row = await db.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toAttachment(row);
}

/** An execution's attachments that are not deleted, oldest first. */
export async function listAttachmentsByExecution(db: Db, executionId: string): Promise<Attachment[]> {
  const rows = await db
    .selectFrom('attachments')
    .selectAll()
    .where('execution_id', '=', executionId)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toAttachment);
}

/** Bytes a person has stored and not yet purged: what the per-user quota counts. */
export async function storedBytesOf(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('attachments')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>('size_bytes'), eb.lit(0)).as('bytes'))
    .where('uploaded_by', '=', userId)
    .where('purged_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.bytes);
}

/**
 * Serialises the quota checks of one person's uploads until the transaction ends, so that two
 * uploads finishing at once cannot both fit under the same remaining quota. PostgreSQL: a
 * transaction-scoped advisory lock on the user id; SQLite already has one writer at a time.
 */
export async function lockQuotaOf(trx: Transaction<Database>, userId: string): Promise<void> {
  if (!(trx.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`select pg_advisory_xact_lock(hashtext(${`attachments-quota:${userId}`}))`.execute(trx);
}

export async function markAttachmentDeleted(db: Db, id: string, by: string | null, now: string): Promise<boolean> {
  const r = await db
    .updateTable('attachments')
    .set({ deleted_at: now, deleted_by: by })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * The attachment if a reader could still see it: not deleted, not purged, and its execution not
 * deleted. Anything else is "not found" to every route, so one query answers them all.
 */
export async function getLiveAttachment(db: Db, id: string): Promise<Attachment | undefined> {
  const row = await db
    .selectFrom('attachments')
    .innerJoin('executions', 'executions.id', 'attachments.execution_id')
    .selectAll('attachments')
    .where('attachments.id', '=', id)
    .where('attachments.deleted_at', 'is', null)
    .where('attachments.purged_at', 'is', null)
    .where('executions.deleted_at', 'is', null)
    .executeTakeFirst();
  return row && toAttachment(row);
}

/** Why an attachment's bytes may go: it was deleted, or its whole execution was. */
export interface PurgeableAttachment {
  attachment: Attachment;
  reason: 'attachment_deleted' | 'execution_deleted';
  /** When that deletion happened. */
  deletedAt: string;
}

/**
 * Attachments not yet purged that were deleted, or whose execution was deleted, before `cutoff`
 * (ISO): the purge removes their objects. By id after `afterId`, at most `limit`.
 */
export async function listPurgeableAttachments(
  db: Db,
  cutoff: string,
  afterId: string | null,
  limit: number,
): Promise<PurgeableAttachment[]> {
  let q = db
    .selectFrom('attachments')
    .innerJoin('executions', 'executions.id', 'attachments.execution_id')
    .selectAll('attachments')
    .select('executions.deleted_at as execution_deleted_at')
    .where('attachments.purged_at', 'is', null)
    .where((eb) => eb.or([eb('attachments.deleted_at', '<', cutoff), eb('executions.deleted_at', '<', cutoff)]));
  if (afterId !== null) q = q.where('attachments.id', '>', afterId);
  const rows = await q.orderBy('attachments.id').limit(limit).execute();
  return rows.map(({ execution_deleted_at, ...row }) => {
    const attachment = toAttachment(row);
    // The attachment's own deletion is the reason when it came first (or is the only one).
    const own = attachment.deletedAt !== null && (execution_deleted_at === null || attachment.deletedAt <= execution_deleted_at);
    return own
      ? { attachment, reason: 'attachment_deleted', deletedAt: attachment.deletedAt! }
      : { attachment, reason: 'execution_deleted', deletedAt: execution_deleted_at! };
  });
}

/** Records that the attachment's objects are gone; false when another purge got there first. */
export async function markAttachmentPurged(db: Db, id: string, now: string): Promise<boolean> {
  const r = await db
    .updateTable('attachments')
    .set({ purged_at: now })
    .where('id', '=', id)
    .where('purged_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Ids of attachments still waiting for a thumbnail (e.g. after a restart), by id after `afterId`. */
export async function listPendingThumbnails(db: Db, afterId: string | null, limit: number): Promise<string[]> {
  let q = db
    .selectFrom('attachments')
    .select('id')
    .where('thumbnail_status', '=', 'pending')
    .where('deleted_at', 'is', null)
    .where('purged_at', 'is', null);
  if (afterId !== null) q = q.where('id', '>', afterId);
  const rows = await q.orderBy('id').limit(limit).execute();
  return rows.map((r) => r.id);
}

/** Attachments whose object should be in storage (not purged, deleted or not), by id after `afterId`: the consistency check's pages. */
export async function listStoredAttachments(db: Db, afterId: string | null, limit: number): Promise<Attachment[]> {
  let q = db.selectFrom('attachments').selectAll().where('purged_at', 'is', null);
  if (afterId !== null) q = q.where('id', '>', afterId);
  const rows = await q.orderBy('id').limit(limit).execute();
  return rows.map(toAttachment);
}

/** Which of `keys` belong to an attachment whose object should exist. */
export async function storedKeysAmong(db: Db, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .selectFrom('attachments')
    .select('storage_key')
    .where('storage_key', 'in', [...keys])
    .where('purged_at', 'is', null)
    .execute();
  return new Set(rows.map((r) => r.storage_key));
}

/**
 * Records a pending thumbnail's outcome; false when the attachment is no longer waiting for one (made
 * by another process, or purged meanwhile), in which case the caller removes what it stored.
 */
export async function finishThumbnail(
  db: Db,
  id: string,
  result: { status: Exclude<ThumbnailStatus, 'pending'>; key: string | null; error: string | null },
): Promise<boolean> {
  const r = await db
    .updateTable('attachments')
    .set({ thumbnail_status: result.status, thumbnail_key: result.key, thumbnail_error: result.error })
    .where('id', '=', id)
    .where('thumbnail_status', '=', 'pending')
    .where('purged_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
