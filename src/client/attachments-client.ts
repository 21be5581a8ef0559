import contentDisposition from 'content-disposition';
import { ApiError } from './api-error.ts';
import { enc, type HttpTransport } from './http-transport.ts';
import type {
  AttachmentCheck,
  AttachmentDownload,
  AttachmentUpload,
  AttachmentUrl,
  AttachmentView,
  DeletedAttachment,
} from './record-types.ts';
import type { ListResult } from './types.ts';

/**
 * Evidence files of manual steps (`client.attachments`). Uploads and downloads stream: neither holds
 * a file in memory, whatever its size.
 */
export class AttachmentsClient {
  constructor(private readonly http: HttpTransport) {}

  /**
   * Attaches a file to a step (201), streamed as `multipart/form-data` with one part named `file`.
   * The server sniffs the type, hashes the bytes and keeps `fileName` as sanitised metadata only.
   * Fails with `ATTACHMENT_TOO_LARGE`, `QUOTA_EXCEEDED` or `RECORD_ENDED`.
   */
  async upload(executionId: string, taskRunId: string, upload: AttachmentUpload): Promise<AttachmentView> {
    let sentBytes = 0;
    const { body, contentType } = multipartBody({
      ...upload,
      onProgress: (progress) => {
        sentBytes = progress.sentBytes;
        upload.onProgress?.(progress);
      },
    });
    const path = `/v1/executions/${enc(executionId)}/tasks/${enc(taskRunId)}/attachments`;
    try {
      return await this.http.request<AttachmentView>('POST', path, { body, contentType });
    } catch (e: unknown) {
      // A server that refuses a file mid-way answers and closes; while we are still sending, the
      // connection may be reset before its answer is read, and all we see is EPIPE or ECONNRESET.
      if (e instanceof ApiError && e.code === 'SERVER_UNREACHABLE' && sentBytes > 0 && isConnectionCut(e)) {
        // RESPONSE_INCOMPLETE: there was an answer we could not read (docs/errors.md, client codes)
        throw new ApiError({
          status: 0,
          code: 'RESPONSE_INCOMPLETE',
          detail: `The server closed the connection after ${sentBytes} of ${upload.file.size} bytes of ${upload.fileName}; it may have refused the file (larger than its upload limit, or over your quota)`,
          cause: e,
        });
      }
      throw e;
    }
  }

  /** The execution's evidence, every step's, oldest first. */
  async list(executionId: string): Promise<AttachmentView[]> {
    return (await this.http.request<ListResult<AttachmentView>>('GET', `/v1/executions/${enc(executionId)}/attachments`)).items;
  }

  /**
   * The bytes of an attachment, as they arrive (read `body` to the end, or cancel it). When the
   * server redirects to object storage (S3: a short-lived pre-signed URL), the redirect is followed
   * here, and our bearer token is sent only to our own server, never to the storage host.
   */
  async download(id: string): Promise<AttachmentDownload> {
    const path = `/v1/attachments/${enc(id)}`;
    const first = await this.http.fetchOk('GET', path, { redirect: 'manual', headers: { accept: '*/*, application/problem+json' } });
    let response = first;
    if (first.type === 'opaqueredirect') {
      // A browser hides the Location of a manual redirect: ask for the URL instead.
      response = await this.http.fetchForeign(new URL((await this.getUrl(id)).url, `${this.http.server}/`));
    } else if (first.status >= 300 && first.status < 400) {
      await first.body?.cancel();
      const location = first.headers.get('location');
      if (!location) {
        throw new ApiError({
          status: first.status,
          code: 'INVALID_RESPONSE',
          detail: `The server redirected the download of ${id} to nowhere`,
        });
      }
      const target = new URL(location, new URL(path, `${this.http.server}/`));
      response =
        target.origin === new URL(this.http.server).origin
          ? await this.http.fetchOk('GET', `${target.pathname}${target.search}`, { headers: { accept: '*/*' } })
          : await this.http.fetchForeign(target);
    }
    if (!response.body)
      throw new ApiError({ status: response.status, code: 'INVALID_RESPONSE', detail: `The download of ${id} has no body` });
    const length = response.headers.get('content-length');
    return {
      fileName: dispositionFileName(response.headers.get('content-disposition')),
      mediaType: response.headers.get('content-type'),
      sizeBytes: length !== null && /^\d+$/.test(length) ? Number(length) : null,
      body: response.body,
    };
  }

  /** A URL to download the attachment from: pre-signed and expiring on S3, the API path on local storage. */
  getUrl(id: string): Promise<AttachmentUrl> {
    return this.http.request('GET', `/v1/attachments/${enc(id)}/url`);
  }

  /** Soft delete (the record must still be open); the object is purged after the grace period. */
  delete(id: string): Promise<DeletedAttachment> {
    return this.http.request('DELETE', `/v1/attachments/${enc(id)}`);
  }

  /** Admins: rows whose object is missing or altered (sha256), and objects no row names. */
  /** With `clean`, the server also removes the temporary files of uploads that never finished. */
  check(options: { clean?: boolean } = {}): Promise<AttachmentCheck> {
    if (options.clean) return this.http.request('POST', '/v1/admin/attachments/check', { body: { clean: true } });
    return this.http.request('GET', '/v1/admin/attachments/check');
  }
}

const CONNECTION_CUT = new Set(['EPIPE', 'ECONNRESET', 'UND_ERR_SOCKET']);

/** Whether a network failure was the connection being closed under us (rather than never opened). */
function isConnectionCut(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && CONNECTION_CUT.has(code)) return true;
    current = cause;
  }
  return false;
}

const encoder = new TextEncoder();

/** A quoted multipart parameter value, escaped as the HTML standard's form encoding does. */
function quoted(value: string): string {
  return `"${value.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22')}"`;
}

/**
 * A `multipart/form-data` body of one file part, produced as it is read: the file's bytes are pulled
 * from the Blob (for `fs.openAsBlob`, from the disk) only as fast as the request sends them, and each
 * chunk is reported to `onProgress`.
 */
function multipartBody(upload: AttachmentUpload): { body: ReadableStream<Uint8Array>; contentType: string } {
  const boundary = `runledger-${crypto.randomUUID()}`;
  const type = upload.file.type || 'application/octet-stream';
  const head = encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename=${quoted(upload.fileName)}\r\nContent-Type: ${type}\r\n\r\n`,
  );
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  const totalBytes = upload.file.size;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let sentBytes = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!reader) {
        reader = upload.file.stream().getReader();
        controller.enqueue(head);
        upload.onProgress?.({ sentBytes, totalBytes });
        return;
      }
      const { done, value } = await reader.read();
      if (done) {
        controller.enqueue(tail);
        controller.close();
        return;
      }
      sentBytes += value.byteLength;
      controller.enqueue(value);
      upload.onProgress?.({ sentBytes, totalBytes });
    },
    async cancel(reason) {
      await reader?.cancel(reason);
    },
  });
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The file name of a `Content-Disposition` header (`filename*`, RFC 8187, before `filename`); null when it has none or cannot be read. */
export function dispositionFileName(header: string | null): string | null {
  if (!header) return null;
  try {
    return contentDisposition.parse(header).parameters.filename ?? null;
  } catch {
    return null; // malformed: the caller names the file itself
  }
}
