import { createHash } from 'node:crypto';

/** The size of each generated chunk. */
export const CHUNK = 64 * 1024;

/**
 * `totalBytes` made 64 KiB at a time as the consumer pulls them, hashed on the way: a large body
 * that is never one buffer, and its SHA-256 once it has been read.
 */
export function generatedBytes(totalBytes: number): { chunks: AsyncGenerator<Buffer>; sha256: () => string } {
  const hash = createHash('sha256');
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let sent = 0; sent < totalBytes; sent += CHUNK) {
      const chunk = Buffer.alloc(Math.min(CHUNK, totalBytes - sent), (sent / CHUNK) % 251);
      hash.update(chunk);
      yield chunk;
    }
  }
  return { chunks: chunks(), sha256: () => hash.digest('hex') };
}
