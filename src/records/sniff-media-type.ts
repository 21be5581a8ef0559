import { Readable } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';

/**
 * How many leading bytes decide an attachment's media type. file-type needs 4100 for its deepest
 * magic-number checks (e.g. TAR headers at offset 257, MPEG frames), so callers stream at least this much.
 */
export const SNIFF_BYTES = 4100;

/** Only these are handed to an image decoder; SVG is excluded because it is an active document, not pixels. */
const RASTER_IMAGES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** Whether `mime` is a raster image format we are willing to decode (never SVG). */
export function isRasterImage(mime: string): boolean {
  return RASTER_IMAGES.has(mime);
}

/** HTML markers are looked for only this far in, like a browser's sniffing window: a log that quotes a tag later is still text. */
const MARKUP_WINDOW = 1024;

/** Anything that could precede the root element of an XML document: a declaration, comments, a doctype. */
const XML_PROLOGUE_ITEM = /^(?:\s+|<\?xml[\s\S]*?\?>|<!--[\s\S]*?-->|<!doctype\b(?:[^[>]|\[[\s\S]*?\])*>)/i;
const SVG_ROOT = /^<svg[\s>/]/i;
const HTML_MARKER = /<(?:!doctype\s+html|html|head|body|script)[\s>/]/i;

/**
 * Decides an upload's media type from its first bytes only, ignoring the client's name and Content-Type.
 * Binary formats come from their magic numbers (file-type). Text is checked for SVG and HTML because both
 * run script when a browser renders them, so they must never be mistaken for plain text or images.
 */
export async function sniffMediaType(head: Uint8Array): Promise<string> {
  const detected = await fileTypeFromBuffer(head);
  // file-type labels any `<?xml` text as application/xml, which would hide an SVG behind its declaration.
  if (detected && detected.mime !== 'application/xml') return detected.mime;
  const text = decodeUtf8(head);
  if (text === undefined) return detected?.mime ?? 'application/octet-stream';
  // The whole window for SVG: editors put long comments and doctypes with entity subsets before the root.
  if (SVG_ROOT.test(skipXmlPrologue(text))) return 'image/svg+xml';
  if (HTML_MARKER.test(text.slice(0, MARKUP_WINDOW))) return 'text/html';
  return detected?.mime ?? 'text/plain';
}

/** The text, or undefined when the bytes are not UTF-8 or contain NUL (a sure sign of binary data). */
function decodeUtf8(head: Uint8Array): string | undefined {
  if (head.includes(0)) return undefined;
  try {
    // `stream: true` tolerates a multi-byte character cut in half at the end of the sniffed window.
    return new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    return undefined;
  }
}

/** Drops the XML declaration, comments, doctype and whitespace in front of the root element. */
function skipXmlPrologue(text: string): string {
  let rest = text.replace(/^\uFEFF/, '');
  for (let match = XML_PROLOGUE_ITEM.exec(rest); match; match = XML_PROLOGUE_ITEM.exec(rest)) {
    rest = rest.slice(match[0].length);
  }
  return rest;
}

/**
 * Reads up to `bytes` from the start of `stream` and returns them with a stream that replays them followed
 * by the rest, so an upload is sniffed while it streams on to storage without being buffered whole.
 * Destroying the returned stream destroys the source; a source error surfaces on the returned stream.
 */
export async function sniffHead(stream: Readable, bytes = SNIFF_BYTES): Promise<{ head: Buffer; stream: Readable }> {
  const source: AsyncIterator<unknown> = stream[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < bytes) {
    const next = await source.next();
    if (next.done) break;
    const chunk = toBuffer(next.value);
    chunks.push(chunk);
    length += chunk.length;
  }
  const start = Buffer.concat(chunks, length);
  async function* replay(): AsyncGenerator<Buffer> {
    try {
      if (start.length > 0) yield start;
      for (let next = await source.next(); !next.done; next = await source.next()) yield toBuffer(next.value);
    } finally {
      await source.return?.();
    }
  }
  return { head: start.subarray(0, bytes), stream: Readable.from(replay(), { objectMode: false }) };
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  throw new TypeError('sniffHead expects a byte stream');
}
