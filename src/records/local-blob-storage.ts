import { randomUUID } from 'node:crypto';
import { createWriteStream, type Dirent } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  assertStorageKey,
  assertStorageKeyPrefix,
  BlobNotFoundError,
  InvalidStorageKeyError,
  isStorageKey,
  type BlobStorage,
  type PresignedGetOptions,
  type PutBlobOptions,
  type StoredBlob,
} from './blob-storage.ts';
import { HashingStream } from './hashing-stream.ts';

/** Only the server process reads these files; evidence may be sensitive. */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
/** Uploads in progress. Keys never start with a dot, so no key can name or list this directory. */
const TEMP_DIR = '.tmp';
const SEGMENT = /^[a-z0-9-]+$/;

/**
 * Blobs as files under one root directory, keyed by path. A put is atomic and durable: the bytes go
 * to a temp file in the same tree (so the rename cannot cross file systems), are fsynced, and are
 * renamed into place before the directory is fsynced. Readers therefore see a whole file or none,
 * also after a crash. Emptied directories are left in place: removing them would race a concurrent
 * put into the same directory, and they cost nothing.
 */
export class LocalBlobStorage implements BlobStorage {
  readonly kind = 'local';
  readonly #root: string;

  constructor(rootDir: string) {
    this.#root = path.resolve(rootDir);
  }

  async put(key: string, body: Readable, { maxBytes }: PutBlobOptions): Promise<StoredBlob> {
    const target = this.#resolve(key);
    const tempDir = path.join(this.#root, TEMP_DIR);
    await mkdir(tempDir, { recursive: true, mode: DIR_MODE });
    const temp = path.join(tempDir, randomUUID());
    const hashing = new HashingStream(maxBytes);
    try {
      // `flush` fsyncs before close; pipeline resolves only after the close.
      await pipeline(body, hashing, createWriteStream(temp, { flags: 'wx', mode: FILE_MODE, flush: true }));
      const dir = path.dirname(target);
      const firstCreated = await mkdir(dir, { recursive: true, mode: DIR_MODE });
      await rename(temp, target);
      await syncDirectories(dir, firstCreated === undefined ? dir : path.dirname(firstCreated));
    } catch (e: unknown) {
      await rm(temp, { force: true });
      throw e;
    }
    return { size: hashing.bytesSeen, sha256: hashing.digest() };
  }

  async get(key: string): Promise<Readable> {
    const file = this.#resolve(key);
    const handle = await open(file, 'r').catch((e: unknown) => {
      throw isMissing(e) ? new BlobNotFoundError(key) : e;
    });
    try {
      if (!(await handle.stat()).isFile()) throw new BlobNotFoundError(key);
    } catch (e: unknown) {
      await handle.close();
      throw e;
    }
    // The stream closes the handle when it ends or is destroyed.
    return handle.createReadStream();
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const stats = await stat(this.#resolve(key));
      return stats.isFile() ? { size: stats.size } : null;
    } catch (e: unknown) {
      if (isMissing(e)) return null;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.#resolve(key), { force: true });
  }

  async *list(prefix: string): AsyncIterable<string> {
    assertStorageKeyPrefix(prefix);
    // Start at the deepest directory the prefix fully names instead of walking the whole tree.
    yield* this.#walk(prefix.slice(0, prefix.lastIndexOf('/') + 1), prefix);
  }

  async staleUploads(before: Date): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(path.join(this.#root, TEMP_DIR));
    } catch (e: unknown) {
      if (isMissing(e)) return [];
      throw e;
    }
    const stale: string[] = [];
    for (const name of names) {
      const info = await stat(path.join(this.#root, TEMP_DIR, name)).catch(() => null);
      if (info?.isFile() && info.mtime < before) stale.push(name);
    }
    return stale.sort();
  }

  async removeStaleUpload(name: string): Promise<void> {
    // Names come from staleUploads (random UUIDs); anything else never becomes a path.
    if (!/^[0-9a-f-]{36}$/.test(name)) throw new InvalidStorageKeyError(name);
    await rm(path.join(this.#root, TEMP_DIR, name), { force: true });
  }

  /** Always null: there is no second server to sign for, so the API streams the file itself. */
  async presignedGetUrl(key: string, _options: PresignedGetOptions): Promise<null> {
    assertStorageKey(key);
    return null;
  }

  async *#walk(dirKey: string, prefix: string): AsyncGenerator<string> {
    let entries: Dirent[];
    try {
      entries = await readdir(path.join(this.#root, dirKey), { withFileTypes: true });
    } catch (e: unknown) {
      if (isMissing(e)) return;
      throw e;
    }
    for (const entry of entries) {
      const key = dirKey + entry.name;
      if (entry.isDirectory()) {
        const child = `${key}/`;
        if (SEGMENT.test(entry.name) && (child.startsWith(prefix) || prefix.startsWith(child))) yield* this.#walk(child, prefix);
      } else if (entry.isFile() && key.startsWith(prefix) && isStorageKey(key)) {
        yield key;
      }
    }
  }

  /** The key's path; the containment check is a second line behind the key's alphabet. */
  #resolve(key: string): string {
    assertStorageKey(key);
    const file = path.resolve(this.#root, key);
    if (!file.startsWith(this.#root + path.sep)) throw new InvalidStorageKeyError(key);
    return file;
  }
}

/** fsyncs `dir` and each ancestor up to `top`, so the new entries (and new directories) survive a crash. */
async function syncDirectories(dir: string, top: string): Promise<void> {
  for (let current = dir; ; current = path.dirname(current)) {
    const handle = await open(current, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (current === top || current === path.dirname(current)) return;
  }
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
