import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7, validate, version } from 'uuid';

/**
 * Random bytes drawn 4 KiB at a time: uuid's own source asks the platform for 16 bytes per id, a
 * call that cost more than the rest of making the id (thousands of ids a second on the write path).
 */
const pool = new Uint8Array(16 * 256);
let poolOffset = pool.length;

function randomBytes16(): Uint8Array {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  return bytes;
}

/** The millisecond and counter of the last id, so that ids made in one millisecond still ascend (RFC 9562, method 1). */
const last = { msecs: -Infinity, seq: 0 };

/** Time-ordered ids: new rows land at the right-hand edge of every index. */
export function newId(): string {
  const now = Date.now();
  const random = randomBytes16();
  if (now > last.msecs) {
    // A new millisecond starts the counter at a random 31-bit value, as uuid itself does.
    last.msecs = now;
    last.seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
  } else {
    last.seq = (last.seq + 1) | 0;
    if (last.seq === 0) last.msecs += 1;
  }
  return uuidv7({ random, msecs: last.msecs, seq: last.seq });
}

export function isUuid(value: string): boolean {
  return validate(value) && version(value) !== 0;
}
