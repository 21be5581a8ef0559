import { z } from 'zod';

/**
 * Answers that are not one JSON document, declared so the OpenAPI document (and the clients typed
 * from it) say what comes back. The JSON answers' schemas are the wire shapes in `domain/wire`.
 */

/** 204: nothing. */
export const noContent = z.null().meta({ description: 'No content' });

/** A 3xx answer whose `Location` the client follows. */
export function redirect(description: string) {
  return z.null().meta({ description });
}

/** Bytes of a file, streamed. */
export function bytes(description: string) {
  return { description, content: { 'application/octet-stream': { schema: z.string().meta({ format: 'binary' }) } } };
}

/** A gzipped tar archive, streamed. */
export function gzipArchive(description: string) {
  return { description, content: { 'application/gzip': { schema: z.string().meta({ format: 'binary' }) } } };
}

/** Newline-delimited JSON, streamed. */
export function ndjson(description: string) {
  return { description, content: { 'application/x-ndjson': { schema: z.string() } } };
}
