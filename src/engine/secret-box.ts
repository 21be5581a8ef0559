import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SecretKeyUnavailableError } from '../domain/errors.ts';
import { writePrivateFile } from '../store/private-files.ts';

/** The file in the data directory that holds the generated key when `RUNLEDGER_SECRET_KEY` is not set. */
export const SECRET_KEY_FILE = 'secret-key';

const VERSION = 'rl1';

/**
 * Seals secret values so that they can be kept in the store without being readable there:
 * AES-256-GCM under a key kept outside the database. A sealed value names the key it was sealed with
 * (the first bytes of the key's SHA-256), so a process holding another key says so instead of
 * producing garbage. Any process holding the key can open it; erasing the sealed value makes the
 * secret unrecoverable (crypto-shredding).
 */
export class SecretBox {
  /** Names the key without revealing it. */
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
    this.keyId = crypto.createHash('sha256').update(key).digest('hex').slice(0, 16);
  }

  seal(value: unknown): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(`${VERSION}.${this.keyId}`));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return [VERSION, this.keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  unseal(sealed: string): unknown {
    const [version, keyId, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || !keyId || iv === undefined || tag === undefined || body === undefined) {
      throw new SecretKeyUnavailableError('the sealed value is not in a format this version reads');
    }
    if (keyId !== this.keyId) {
      throw new SecretKeyUnavailableError(
        `the secret values were sealed with key ${keyId}, and this process has key ${this.keyId}: give every node the same RUNLEDGER_SECRET_KEY`,
      );
    }
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(`${VERSION}.${keyId}`));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const text = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      return JSON.parse(text) as unknown;
    } catch {
      throw new SecretKeyUnavailableError(`the sealed value does not open with key ${this.keyId} (altered or sealed with another key)`);
    }
  }
}

/** Reads `RUNLEDGER_SECRET_KEY` (base64 of 32 bytes); throws with the setting's name when it is not one. */
export function parseSecretKey(text: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error('RUNLEDGER_SECRET_KEY: must be 32 random bytes in base64 (openssl rand -base64 32)');
  return key;
}

/**
 * The process's secret key: `RUNLEDGER_SECRET_KEY` when set, else a key generated once into
 * `<dataDir>/secret-key` (mode 0600). A deployment of several nodes must set the same key on all of them.
 */
export function loadSecretBox(dataDir: string, configured: string | undefined): SecretBox {
  if (configured) return new SecretBox(parseSecretKey(configured));
  const file = path.join(dataDir, SECRET_KEY_FILE);
  try {
    return new SecretBox(parseSecretKey(fs.readFileSync(file, 'utf8')));
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const key = crypto.randomBytes(32);
  writePrivateFile(file, `${key.toString('base64')}\n`);
  return new SecretBox(key);
}
