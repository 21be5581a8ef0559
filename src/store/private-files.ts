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

/** Permission bits for group and others: none of the data directory's files may carry any. */
const SHARED_BITS = 0o077;

/**
 * Makes `file` exist with mode 0600, or takes group and other permissions off it when it exists (a
 * store created by an older version, or under a loose umask). SQLite gives the `-wal` and `-shm`
 * files it creates the permissions of the database file, so a private database keeps them private.
 */
export function ensurePrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  restrictToOwner(file);
}

/** Takes group and other permissions off every regular file directly in `dir` (the data directory's own files). */
export function restrictFilesToOwner(dir: string): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  for (const entry of entries) if (entry.isFile()) restrictToOwner(path.join(dir, entry.name));
}

function restrictToOwner(file: string): void {
  try {
    const { mode } = fs.statSync(file);
    if ((mode & SHARED_BITS) !== 0) fs.chmodSync(file, mode & 0o700);
  } catch (e: unknown) {
    // A file removed meanwhile (a -shm at close) needs nothing.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/**
 * A warning when other local users can read or enter the data directory (it holds the store, its
 * keys and the local token); undefined when only its owner (and group) can. Runledger does not change
 * a directory it did not create: the operator may have reasons, and the files in it are 0600 anyway.
 */
export function openDataDirWarning(dir: string): string | undefined {
  let mode: number;
  try {
    mode = fs.statSync(dir).mode;
  } catch {
    return undefined;
  }
  if ((mode & 0o007) === 0) return undefined;
  const octal = (mode & 0o777).toString(8).padStart(4, '0');
  return `WARN data directory ${dir} is open to every local user (mode ${octal}); its files are 0600, but run "chmod 700 ${dir}"`;
}
