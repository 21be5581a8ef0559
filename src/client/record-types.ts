/**
 * Shapes of the human-run record and evidence routes as the client sees them: answers inferred from
 * the server's response schemas (`domain/wire`), requests the client's own. Types only.
 */
import type { z } from 'zod';
import type { AttachmentCheckReport } from '../domain/attachment-check.ts';
import type { ThumbnailStatus } from '../domain/records.ts';
import type * as wire from '../domain/wire/index.ts';
import type { InputType } from '../domain/workflow-definition.ts';

export type { InputType, ThumbnailStatus };

/** `POST /v1/workflows/:id/run` with `procedure: true` (202): the record is `running` at once. */
export type ProcedureStarted = z.output<typeof wire.runStartedWire>;
export type WorkflowInputView = z.output<typeof wire.workflowInputWire>;
export type WorkflowVersionDetail = z.output<typeof wire.workflowVersionDetailWire>;
export type ExecutionDocument = z.output<typeof wire.executionDocumentWire>;
export type DeletedExecution = z.output<typeof wire.deletedWire>;
export type DeletedAttachment = z.output<typeof wire.deletedWire>;
export type AttachmentView = z.output<typeof wire.attachmentWire>;
export type AttachmentUrl = z.output<typeof wire.attachmentUrlWire>;

/** `GET /v1/admin/attachments/check`: rows without their object, altered objects, objects without a row. */
export type AttachmentCheck = AttachmentCheckReport;
export type { AlteredAttachment, AttachmentProblem } from '../domain/attachment-check.ts';

/** `PATCH /v1/executions/:id`: only the fields given change; `status` ends a human-run record. */
export interface ExecutionChanges {
  title?: string;
  notes?: string;
  /** `completed` needs every step ended (else `STEPS_OPEN`); `failed` cancels the open steps, the notes being the reason. */
  status?: 'completed' | 'failed';
}

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
