import type { Readable } from 'node:stream';

/**
 * Where attachments (evidence files uploaded to a runbook step) and their thumbnails are kept. The
 * database holds an attachment's metadata and its storage key; the bytes live behind this interface,
 * on a local disk or in an S3-compatible bucket, so the API and the records layer never care which.
 */
export interface BlobStorage {
  readonly kind: 'local' | 's3';
  /**
   * Streams `body` into `key`, replacing any object already there. Never buffers the whole body: memory
   * stays flat whatever the size. Rejects with {@link BlobTooLargeError} as soon as more than
   * `maxBytes` arrive, and then leaves no partial object behind.
   */
  put(key: string, body: Readable, options: PutBlobOptions): Promise<StoredBlob>;
  /** The object's bytes; rejects with {@link BlobNotFoundError} when there is none. */
  get(key: string): Promise<Readable>;
  /** The object's size, or null when there is none. */
  stat(key: string): Promise<{ size: number } | null>;
  /** Removes the object; removing a missing object is not an error (retries and races are harmless). */
  delete(key: string): Promise<void>;
  /** Every key that starts with `prefix`, in no particular order. */
  list(prefix: string): AsyncIterable<string>;
  /**
   * A URL a browser can download the object from directly, or null when the server must stream it
   * itself (the local backend). The download is named `fileName` and typed `contentType`.
   */
  presignedGetUrl(key: string, options: PresignedGetOptions): Promise<string | null>;
  /**
   * Uploads that began before `before` and never finished (the server died mid-upload): the local
   * backend's temporary files. An S3 bucket's incomplete multipart uploads are the bucket's to expire
   * (a lifecycle rule), so the S3 backend lists none.
   */
  staleUploads(before: Date): Promise<string[]>;
  /** Removes one of `staleUploads`'s names. */
  removeStaleUpload(name: string): Promise<void>;
}

export interface PutBlobOptions {
  maxBytes: number;
  contentType?: string;
}

/** What was stored, measured on the bytes as they streamed through (not trusted from the client). */
export interface StoredBlob {
  size: number;
  /** Lowercase hex SHA-256 of the stored bytes. */
  sha256: string;
}

export interface PresignedGetOptions {
  expiresInSeconds: number;
  fileName: string;
  contentType: string;
}

/** More bytes arrived than the caller allowed; nothing was stored. The API maps it to 413. */
export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`blob exceeds the limit of ${maxBytes} bytes`);
    this.name = 'BlobTooLargeError';
  }
}

export class BlobNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no blob stored under ${key}`);
    this.name = 'BlobNotFoundError';
  }
}

/** A key or prefix that is not one the server generates: a bug in the caller, never user input to echo. */
export class InvalidStorageKeyError extends Error {
  constructor(readonly key: string) {
    super(`invalid storage key ${JSON.stringify(key.slice(0, 80))}`);
    this.name = 'InvalidStorageKeyError';
  }
}

const MAX_KEY_LENGTH = 200;
const KEY_PATTERN = /^[a-z0-9-]+(?:\/[a-z0-9-]+)*(?:\.(?:webp|png))?$/;
/** Prefixes may end anywhere, e.g. `attachments/` or `attachments/1f`; same alphabet as keys. */
const PREFIX_PATTERN = /^(?:[a-z0-9-]+\/)*[a-z0-9-]*$/;

/**
 * Throws unless `key` has the shape of a server-generated key (`attachments/{uuid}/{uuid}`,
 * `thumbnails/{uuid}/{uuid}.webp`). The alphabet alone rules out `..`, absolute paths, backslashes,
 * percent-escapes and NUL, so a key is safe as a file path and as an S3 key without further escaping.
 */
export function assertStorageKey(key: string): void {
  if (key.length > MAX_KEY_LENGTH || !KEY_PATTERN.test(key)) throw new InvalidStorageKeyError(key);
}

/** Throws unless `prefix` could begin a valid key (`''` lists everything). */
export function assertStorageKeyPrefix(prefix: string): void {
  if (prefix.length > MAX_KEY_LENGTH || !PREFIX_PATTERN.test(prefix)) throw new InvalidStorageKeyError(prefix);
}

/** Whether `key` is valid, for filtering what a directory listing turns up. */
export function isStorageKey(key: string): boolean {
  return key.length <= MAX_KEY_LENGTH && KEY_PATTERN.test(key);
}
