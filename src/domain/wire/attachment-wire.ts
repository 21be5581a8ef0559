import { z } from 'zod';
import type { AttachmentCheckReport } from '../attachment-check.ts';
import { THUMBNAIL_STATUSES, type ThumbnailStatus } from '../records.ts';
import { instantWire } from './common-wire.ts';

/** One evidence file of a step. */
export const attachmentWire = z
  .object({
    id: z.string(),
    executionId: z.string(),
    taskRunId: z.string(),
    fileName: z.string().meta({ description: "The uploader's file name, sanitised: display text only" }),
    sizeBytes: z.number().int(),
    mediaType: z.string().meta({ description: 'Sniffed from the bytes by the server' }),
    sha256: z.string(),
    thumbnailStatus: z.enum(THUMBNAIL_STATUSES as unknown as [ThumbnailStatus, ...ThumbnailStatus[]]),
    uploadedBy: z.string(),
    createdAt: instantWire,
  })
  .meta({ id: 'Attachment' });

/** A pre-signed URL (S3), or the API download path (local storage, `expiresAt` null). */
export const attachmentUrlWire = z.object({ url: z.string(), expiresAt: instantWire.nullable() }).meta({ id: 'AttachmentUrl' });

const attachmentProblem = z.object({
  id: z.string(),
  executionId: z.string(),
  taskRunId: z.string(),
  fileName: z.string(),
  storageKey: z.string(),
});

export const attachmentCheckWire: z.ZodType<AttachmentCheckReport> = z
  .object({
    checked: z.number().int(),
    missing: z.array(attachmentProblem),
    altered: z.array(
      attachmentProblem.extend({
        expectedSha256: z.string(),
        actualSha256: z.string(),
        expectedSizeBytes: z.number().int(),
        actualSizeBytes: z.number().int(),
      }),
    ),
    orphans: z.array(z.string()),
    staleUploads: z.array(z.string()).meta({ description: 'Temporary files of uploads begun over an hour ago that never finished' }),
    staleUploadsRemoved: z.boolean(),
    ok: z.boolean(),
  })
  .meta({ id: 'AttachmentCheck' });
