import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

export interface FormPart {
  name: string;
  /** Present for a file part; sent as it is (UTF-8), the way browsers send it. */
  fileName?: string;
  content: Buffer | string;
  contentType?: string;
}

/** A whole multipart/form-data body, for `app.inject`. */
export function multipartBody(parts: FormPart[]): { payload: Buffer; headers: { 'content-type': string } } {
  const boundary = `----runledger-test-${randomUUID()}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${partHeaders(part)}\r\n`, 'utf8'), Buffer.from(part.content), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** One file part named `file`, the upload route's form. */
export function fileForm(fileName: string, content: Buffer | string, contentType = 'application/octet-stream') {
  return multipartBody([{ name: 'file', fileName, content, contentType }]);
}

/**
 * A multipart body of one file part whose content comes from `chunks` as the request is sent: for
 * uploads too large to build in memory.
 */
export function streamedFileForm(fileName: string, chunks: AsyncIterable<Buffer>): { body: Readable; contentType: string } {
  const boundary = `----runledger-test-${randomUUID()}`;
  async function* body(): AsyncGenerator<Buffer> {
    yield Buffer.from(`--${boundary}\r\n${partHeaders({ name: 'file', fileName, content: '' })}\r\n`, 'utf8');
    yield* chunks;
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }
  return { body: Readable.from(body(), { objectMode: false }), contentType: `multipart/form-data; boundary=${boundary}` };
}

function partHeaders(part: FormPart): string {
  const quote = (v: string) => `"${v.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}"`;
  const disposition = `form-data; name=${quote(part.name)}${part.fileName === undefined ? '' : `; filename=${quote(part.fileName)}`}`;
  return `Content-Disposition: ${disposition}\r\n${part.contentType ? `Content-Type: ${part.contentType}\r\n` : ''}`;
}
