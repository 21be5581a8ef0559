import type { IncomingMessage } from 'node:http';

/**
 * Reads and discards what is left of a refused request body, so that the client, which is usually
 * still sending, reads the answer instead of a reset connection. Bounded in bytes and time: a client
 * that would send more than that gets the connection closed. Resolves with whether the body ended.
 */
export function drainRequest(raw: IncomingMessage, limits: { maxBytes: number; timeoutMs: number }): Promise<boolean> {
  if (raw.complete || raw.readableEnded) return Promise.resolve(true);
  if (raw.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    let seen = 0;
    const finish = (ended: boolean) => {
      clearTimeout(timer);
      raw.off('data', onData);
      raw.off('end', onEnd);
      raw.off('error', onError);
      raw.off('close', onClose);
      resolve(ended);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > limits.maxBytes) finish(false);
    };
    const onEnd = () => finish(true);
    const onError = () => finish(false);
    const onClose = () => finish(raw.complete);
    const timer = setTimeout(() => finish(false), limits.timeoutMs);
    raw.on('data', onData);
    raw.once('end', onEnd);
    raw.once('error', onError);
    raw.once('close', onClose);
    raw.resume();
  });
}
