/**
 * Response and request shapes of the human-run record and evidence routes, as the client sees them.
 * Types only: the client carries no server code at run time.
 */
import type { AttachmentCheckReport } from '../domain/attachment-check.ts';
import type { ThumbnailStatus } from '../domain/records.ts';
import type { InputType } from '../domain/workflow-definition.ts';
import type { ExecutionStatus, WorkflowVersionView } from './types.ts';

export type { InputType, ThumbnailStatus };

/** `POST /v1/workflows/:id/run` with `procedure: true` (202): the record is `running` at once. */
export interface ProcedureStarted {
  executionId: string;
  status: ExecutionStatus;
  /** The given title, or the default: procedure name, date and the required non-secret inputs. */
  title: string | null;
}

/** One declared input of a workflow: a field of the procedure's variables form. */
export interface WorkflowInputView {
  name: string;
  type: InputType;
  required: boolean;
  secret: boolean;
  default: unknown;
  description: string | null;
}

/** `GET /v1/workflows/:id/versions/:version`: the version, its procedure document and its variables form. */
export interface WorkflowVersionDetail extends WorkflowVersionView {
  /** The workflow's name in this version: the procedure's name. */
  name: string;
  /** The procedure document (Markdown with `{{ inputs.x }}` placeholders); null when it has none. */
  doc: string | null;
  /** The declared inputs in definition order; a secret input's default is never sent (null). */
  inputs: WorkflowInputView[];
}

/** `GET /v1/executions/:id/document`: the procedure document with this execution's values (secrets masked). */
export interface ExecutionDocument {
  workflowId: string;
  workflowVersion: number;
  markdown: string;
  /** Sanitised HTML: no script, no event handlers, no `javascript:` links. */
  html: string;
}

/** `PATCH /v1/executions/:id`: only the fields given change; `status` ends a human-run record. */
export interface ExecutionChanges {
  title?: string;
  notes?: string;
  /** `completed` needs every step ended (else `STEPS_OPEN`); `failed` cancels the open steps, the notes being the reason. */
  status?: 'completed' | 'failed';
}

/** `DELETE /v1/executions/:id`: the soft delete. */
export interface DeletedExecution {
  id: string;
  deletedAt: string;
}

/** One evidence file of a step. */
export interface AttachmentView {
  id: string;
  executionId: string;
  taskRunId: string;
  /** The uploader's file name, sanitised: display text only. */
  fileName: string;
  sizeBytes: number;
  /** Sniffed from the bytes by the server, not taken from the name. */
  mediaType: string;
  sha256: string;
  thumbnailStatus: ThumbnailStatus;
  uploadedBy: string;
  createdAt: string;
}

/** `DELETE /v1/attachments/:id`. */
export interface DeletedAttachment {
  id: string;
  deletedAt: string;
}

/** `GET /v1/attachments/:id/url`: a pre-signed URL (S3), or the API download path (local storage, `expiresAt` null). */
export interface AttachmentUrl {
  url: string;
  expiresAt: string | null;
}

/** `GET /v1/admin/attachments/check`: rows without their object, altered objects, objects without a row. */
export type AttachmentCheck = AttachmentCheckReport;
export type { AlteredAttachment, AttachmentProblem } from '../domain/attachment-check.ts';

/** How far an upload is: bytes of the file sent so far, of `totalBytes`. */
export interface UploadProgress {
  sentBytes: number;
  totalBytes: number;
}

/** What `attachments.upload` sends: the bytes (a `File`, or any `Blob`, e.g. from `fs.openAsBlob`) and the name to record. */
export interface AttachmentUpload {
  file: Blob;
  fileName: string;
  /** Called as the bytes are read into the request, at most once per chunk. */
  onProgress?: (progress: UploadProgress) => void;
}

/** `attachments.download`: the bytes as they stream in, with what the answer said about them. */
export interface AttachmentDownload {
  /** From `Content-Disposition` (RFC 6266 `filename*` or `filename`); null when the answer named none. */
  fileName: string | null;
  mediaType: string | null;
  /** From `Content-Length`; null when not sent. */
  sizeBytes: number | null;
  body: ReadableStream<Uint8Array>;
}
