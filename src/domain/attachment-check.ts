/**
 * What the attachment consistency check reports (`GET /v1/admin/attachments/check`): the server
 * builds it, the client reads it.
 */

/** An attachment the check found a problem with. */
export interface AttachmentProblem {
  /** The attachment's id. */
  id: string;
  executionId: string;
  taskRunId: string;
  fileName: string;
  storageKey: string;
}

/** An attachment whose object is there but is not the bytes that were uploaded. */
export interface AlteredAttachment extends AttachmentProblem {
  expectedSha256: string;
  actualSha256: string;
  expectedSizeBytes: number;
  actualSizeBytes: number;
}

export interface AttachmentCheckReport {
  /** Attachments whose objects were read and hashed. */
  checked: number;
  /** Rows whose object is gone. */
  missing: AttachmentProblem[];
  /** Rows whose object's SHA-256 (or size) differs from the one recorded at upload. */
  altered: AlteredAttachment[];
  /** Storage keys under `attachments/` that no row accounts for. */
  orphans: string[];
  /**
   * Temporary files of uploads that began over an hour ago and never finished (a server stopped
   * mid-upload): harmless, and removed when the check is asked to clean.
   */
  staleUploads: string[];
  /** Whether `staleUploads` were removed by this check. */
  staleUploadsRemoved: boolean;
  /** Nothing missing, altered or orphaned. */
  ok: boolean;
}
