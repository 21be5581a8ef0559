import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { BlobTooLargeError } from './blob-storage.ts';

/**
 * Passes bytes through unchanged while counting and hashing them, and fails with
 * {@link BlobTooLargeError} on the first chunk that takes the total past `maxBytes`. Both backends put
 * it between the upload and the disk or bucket, so the size limit and the recorded SHA-256 come from
 * the bytes actually stored, and an oversized upload stops after at most one extra chunk.
 */
export class HashingStream extends Transform {
  readonly #hash = createHash('sha256');
  #size = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  /**
   * Bytes seen so far. Deliberately not `size` or `length`: lib-storage reads those as the body's total
   * length and then insists on that many parts.
   */
  get bytesSeen(): number {
    return this.#size;
  }

  /** Lowercase hex SHA-256 of everything that passed; call once, after the stream has finished. */
  digest(): string {
    return this.#hash.digest('hex');
  }

  // Not in object mode, so Node has already turned any written string into a Buffer.
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#size += chunk.length;
    if (this.#size > this.maxBytes) {
      callback(new BlobTooLargeError(this.maxBytes));
      return;
    }
    this.#hash.update(chunk);
    callback(null, chunk);
  }
}
