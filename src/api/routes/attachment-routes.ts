import fastifyMultipart from '@fastify/multipart';
import { drainRequest } from '../drain-request.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assertAdmin } from '../../auth/access-policy.ts';
import {
  AttachmentNotFoundError,
  AttachmentTooLargeError,
  ExecutionNotFoundError,
  RunledgerError,
  TaskRunNotFoundError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../domain/errors.ts';
import type { Attachment, Execution } from '../../domain/records.ts';
import { contentDispositionFor } from '../../records/attachment-file-name.ts';
import { servedContentType } from '../../records/served-content-type.ts';
import { assertEvidenceCanChange } from '../../records/upload-attachment.ts';
import { getTaskRun } from '../../store/task-run-repository.ts';
import { actorOf } from '../access-hook.ts';
import type { AppServices } from '../app-services.ts';
import { presentAttachment } from '../attachment-presenter.ts';
import { operableExecution, readableExecution } from '../execution-access.ts';
import { executionParams, taskRunParams, uuidParam } from '../schemas.ts';
import {
  attachmentCheckWire,
  attachmentLimitsWire,
  attachmentUrlWire,
  attachmentWire,
  deletedWire,
  listOf,
  problemResponses,
} from '../../domain/wire/index.ts';
import { bytes, redirect } from '../response-schemas.ts';

const attachmentParams = z.object({ id: uuidParam });

/**
 * Nothing uploaded may run in our origin: no sniffing, no scripts, no plugins, no requests, even if
 * a browser were to render the bytes despite the attachment disposition.
 */
const DOWNLOAD_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "sandbox; default-src 'none'",
  'cache-control': 'private, no-store',
} as const;

/** The one form part the upload reads; anything else in the form is refused. */
const FILE_PART = 'file';

/** What the server reads and drops of a refused upload before it answers (see drainRequest). */
const DRAIN_LIMITS = { maxBytes: 256 * 1024 * 1024, timeoutMs: 30_000 };

/** Evidence files: upload to a step (multipart, streamed), list, download, thumbnail, delete, check. */
export function attachmentRoutes(services: AppServices): FastifyPluginAsyncZod {
  const db = services.store.db;
  const attachments = services.attachments;

  /**
   * The attachment and its execution, if the actor may read (or change) that execution. A deleted
   * attachment, one of a deleted execution and one the actor may not read all answer the same 404.
   */
  async function attachmentFor(
    request: FastifyRequest,
    id: string,
    access: 'read' | 'operate',
  ): Promise<{ attachment: Attachment; execution: Execution }> {
    const attachment = await attachments.find(id);
    try {
      const reach = access === 'read' ? readableExecution : operableExecution;
      return { attachment, execution: await reach(services, request, attachment.executionId) };
    } catch (e: unknown) {
      throw e instanceof ExecutionNotFoundError ? new AttachmentNotFoundError(id) : e;
    }
  }

  return async (app) => {
    // Registered here, so only these routes accept multipart. Its parser reads nothing itself (the
    // handler streams the file part), which is why the app's JSON body limit does not apply to uploads.
    await app.register(fastifyMultipart, {
      limits: {
        // One byte over the limit, so an upload of exactly the limit passes and one byte more is detected.
        fileSize: attachments.settings.maxBytes + 1,
        files: 1,
        fields: 4,
        fieldSize: 1024,
        fieldNameSize: 100,
        parts: 5,
        headerPairs: 20,
      },
    });

    app.post(
      '/executions/:id/tasks/:taskRunId/attachments',
      {
        schema: {
          response: { 201: attachmentWire, ...problemResponses },
          tags: ['attachments'],
          summary: 'Attach a file to a step (multipart/form-data, one part named "file"); streamed to storage',
          consumes: ['multipart/form-data'],
          params: taskRunParams,
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const execution = await operableExecution(services, request, request.params.id);
        const taskRun = await getTaskRun(db, request.params.taskRunId);
        if (!taskRun || taskRun.executionId !== execution.id) throw new TaskRunNotFoundError(request.params.taskRunId);
        assertEvidenceCanChange(execution);
        if (!request.isMultipart()) throw new UnsupportedMediaTypeError('Send the file as multipart/form-data, in a part named "file"');
        try {
          const part = await request.file().catch((e: unknown) => Promise.reject(malformed(e)));
          if (!part || part.fieldname !== FILE_PART) {
            throw new ValidationError('body: expected one file part named "file"', { problems: ['body.file: required'] });
          }
          const fileName = await services.engine.maskForExecution(execution.id, part.filename);
          const attachment = await attachments.upload(part.file, { execution, taskRun, fileName, actor });
          return await reply.code(201).send(presentAttachment(attachment));
        } catch (e: unknown) {
          // The client is usually still sending: read and drop the rest (bounded) so that it reads this
          // answer instead of a reset connection; past the bound, close the connection after the answer.
          if (!(await drainRequest(request.raw, DRAIN_LIMITS))) void reply.header('connection', 'close');
          throw (e as { code?: unknown } | null)?.code === 'FST_REQ_FILE_TOO_LARGE'
            ? new AttachmentTooLargeError(
                `The file is larger than the limit of ${attachments.settings.maxBytes} bytes; nothing was stored`,
                { maxBytes: attachments.settings.maxBytes },
              )
            : e;
        }
      },
    );

    app.get(
      '/attachments-limits',
      {
        schema: {
          response: { 200: attachmentLimitsWire, ...problemResponses },
          tags: ['attachments'],
          summary: 'The upload limit, for a client to refuse an oversized file before sending it',
        },
      },
      async () => ({ maxBytes: attachments.settings.maxBytes }),
    );

    app.get(
      '/executions/:id/attachments',
      {
        schema: {
          response: { 200: listOf(attachmentWire), ...problemResponses },
          tags: ['attachments'],
          summary: "An execution's attachments (not deleted), oldest first",
          params: executionParams,
        },
      },
      async (request) => {
        const execution = await readableExecution(services, request, request.params.id);
        return { items: (await attachments.list(execution.id)).map(presentAttachment) };
      },
    );

    app.get(
      '/attachments/:id',
      {
        schema: {
          response: { 200: bytes('The file, as an attachment'), 302: redirect('A short-lived pre-signed URL (S3)'), ...problemResponses },
          tags: ['attachments'],
          summary: 'Download: the bytes as an attachment (local storage), or a 302 to a short-lived pre-signed URL (S3)',
          params: attachmentParams,
        },
      },
      async (request, reply) => {
        const { attachment } = await attachmentFor(request, request.params.id, 'read');
        const presigned = await attachments.presignedUrl(attachment);
        if (presigned) return reply.header('cache-control', 'private, no-store').redirect(presigned.url, 302);
        return sendBytes(reply, await attachments.open(attachment), {
          ...DOWNLOAD_HEADERS,
          'content-type': servedContentType(attachment.mediaType),
          'content-disposition': contentDispositionFor(attachment.fileName),
          'content-length': String(attachment.sizeBytes),
        });
      },
    );

    app.get(
      '/attachments/:id/url',
      {
        schema: {
          response: { 200: attachmentUrlWire, ...problemResponses },
          tags: ['attachments'],
          summary: 'A download URL: pre-signed and expiring (S3), or the API download path (local storage, expiresAt null)',
          params: attachmentParams,
        },
      },
      async (request) => {
        const { attachment } = await attachmentFor(request, request.params.id, 'read');
        return (await attachments.presignedUrl(attachment)) ?? { url: `/v1/attachments/${attachment.id}`, expiresAt: null };
      },
    );

    app.get(
      '/attachments/:id/thumbnail',
      {
        schema: {
          response: { 200: bytes('The WebP thumbnail'), ...problemResponses },
          tags: ['attachments'],
          summary: 'The WebP thumbnail of a raster image, shown inline',
          params: attachmentParams,
        },
      },
      async (request, reply) => {
        const { attachment } = await attachmentFor(request, request.params.id, 'read');
        // Our own output (re-encoded by sharp, no metadata): the only thing ever served inline.
        return sendBytes(reply, await attachments.openThumbnail(attachment), {
          ...DOWNLOAD_HEADERS,
          'content-type': 'image/webp',
          'content-disposition': 'inline',
        });
      },
    );

    app.delete(
      '/attachments/:id',
      {
        schema: {
          response: { 200: deletedWire, ...problemResponses },
          tags: ['attachments'],
          summary: 'Delete (the bytes are purged after the grace period)',
          params: attachmentParams,
        },
      },
      async (request) => {
        const { attachment, execution } = await attachmentFor(request, request.params.id, 'operate');
        return attachments.delete(attachment, execution, actorOf(request));
      },
    );

    app.get(
      '/admin/attachments/check',
      {
        schema: {
          response: { 200: attachmentCheckWire, ...problemResponses },
          tags: ['admin'],
          summary: 'Attachments whose object is missing or altered (sha256), and objects without a row',
        },
      },
      async (request) => {
        assertAdmin(actorOf(request));
        return attachments.check();
      },
    );

    app.post(
      '/admin/attachments/check',
      {
        schema: {
          body: z.object({ clean: z.boolean().optional() }).strict().optional(),
          response: { 200: attachmentCheckWire, ...problemResponses },
          tags: ['admin'],
          summary: 'The same check; with `clean: true` it also removes the temporary files of uploads that never finished',
        },
      },
      async (request) => {
        assertAdmin(actorOf(request));
        return attachments.check({ clean: request.body?.clean === true });
      },
    );
  };
}

function sendBytes(reply: FastifyReply, body: NodeJS.ReadableStream, headers: Record<string, string>): FastifyReply {
  return reply.headers(headers).send(body);
}

/**
 * What reading the form's first part can fail with is the request's fault (a missing boundary, too
 * many parts or fields, a truncated body): a 400 naming it, not an internal error.
 */
function malformed(e: unknown): Error {
  if (e instanceof RunledgerError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new ValidationError(`body: not a valid multipart/form-data upload (${message})`, { problems: [`body: ${message}`] });
}
