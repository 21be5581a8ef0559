import type { Kysely, Selectable, Transaction } from 'kysely';
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

export async function markAttachmentDeleted(db: Db, id: string, by: string | null, now: string): Promise<boolean> {
  const r = await db
    .updateTable('attachments')
    .set({ deleted_at: now, deleted_by: by })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function setThumbnail(
  db: Db,
  id: string,
  result: { status: ThumbnailStatus; key: string | null; error: string | null },
): Promise<void> {
  await db
    .updateTable('attachments')
    .set({ thumbnail_status: result.status, thumbnail_key: result.key, thumbnail_error: result.error })
    .where('id', '=', id)
    .execute();
}
