import type { Attachment } from '../domain/records.ts';

/** An attachment as the API shows it: no storage keys or backend, which are the server's business. */
export function presentAttachment(a: Attachment) {
  return {
    id: a.id,
    executionId: a.executionId,
    taskRunId: a.taskRunId,
    fileName: a.fileName,
    sizeBytes: a.sizeBytes,
    mediaType: a.mediaType,
    sha256: a.sha256,
    thumbnailStatus: a.thumbnailStatus,
    uploadedBy: a.uploadedBy,
    createdAt: a.createdAt,
  };
}
