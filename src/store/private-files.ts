import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Writes a file only its owner can read (0600), creating the data directory when needed. */
export function writePrivateFile(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, content, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

/** Reads a secret kept in the data directory, generating it on first use. */
export function readOrCreateSecret(file: string, bytes = 48): string {
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing) return existing;
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const secret = crypto.randomBytes(bytes).toString('base64url');
  writePrivateFile(file, `${secret}\n`);
  return secret;
}
