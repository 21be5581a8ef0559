import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import contentDisposition from 'content-disposition';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  assertStorageKey,
  assertStorageKeyPrefix,
  BlobNotFoundError,
  InvalidStorageKeyError,
  type BlobStorage,
  type PresignedGetOptions,
  type PutBlobOptions,
  type StoredBlob,
} from './blob-storage.ts';
import { HashingStream } from './hashing-stream.ts';

export interface S3BlobStorageOptions {
  bucket: string;
  /** For S3-compatible servers (MinIO, s3rver); omit for AWS. */
  endpoint?: string;
  region: string;
  /** Omit both to use the SDK's default credential chain (environment, instance role, ...). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Defaults to true when `endpoint` is set: most self-hosted servers have no per-bucket DNS. */
  forcePathStyle?: boolean;
}

/** 5 MiB is S3's minimum part size; with two parts in flight an upload holds roughly 15 MiB at most. */
const PART_SIZE = 5 * 1024 * 1024;
const QUEUE_SIZE = 2;

/**
 * Blobs as objects in one S3 (or S3-compatible) bucket, keyed by the storage key. Uploads stream as a
 * multipart upload of unknown length; downloads can go straight from the bucket via pre-signed URLs.
 */
export class S3BlobStorage implements BlobStorage {
  readonly kind = 's3';
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(options: S3BlobStorageOptions) {
    // The SDK warns on every Node release it will stop supporting; Node 20 is what we run on.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const { accessKeyId, secretAccessKey } = options;
    const config: S3ClientConfig = {
      region: options.region,
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      // The SDK's default (checksums on every request, aws-chunked framing for streams) is not
      // understood by every S3-compatible server; s3rver stores the framing as object bytes.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    if (options.endpoint !== undefined) config.endpoint = options.endpoint;
    if (accessKeyId !== undefined && secretAccessKey !== undefined) config.credentials = { accessKeyId, secretAccessKey };
    this.#client = new S3Client(config);
    this.#bucket = options.bucket;
  }

  /**
   * Streams through {@link HashingStream} into a lib-storage `Upload`. Bodies under one part become a
   * single PutObject sent only once the body has ended, so an oversized small body never reaches the
   * bucket. Larger ones become a multipart upload, which the `Upload` aborts itself before `done()`
   * rejects (`leavePartsOnError: false`). Calling `upload.abort()` here instead would make `done()`
   * reject at once while the abort request is still unsent. If an abort request fails, the parts stay
   * until the bucket's lifecycle rule for incomplete multipart uploads removes them.
   */
  async put(key: string, body: Readable, { maxBytes, contentType }: PutBlobOptions): Promise<StoredBlob> {
    assertStorageKey(key);
    const hashing = new HashingStream(maxBytes);
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.#bucket, Key: key, Body: hashing, ContentType: contentType },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    const [piped, uploaded] = await Promise.allSettled([
      pipeline(body, hashing),
      upload.done().catch((e: unknown) => {
        // The upload stopped reading: fail the pipe too, or it would wait for a reader forever.
        hashing.destroy(toError(e));
        throw e;
      }),
    ]);
    // The body's own failure (too large, client went away) says more than the upload's echo of it.
    if (piped.status === 'rejected') {
      if (uploaded.status === 'fulfilled') await this.delete(key);
      throw toError(piped.reason);
    }
    if (uploaded.status === 'rejected') throw toError(uploaded.reason);
    return { size: hashing.bytesSeen, sha256: hashing.digest() };
  }

  async get(key: string): Promise<Readable> {
    assertStorageKey(key);
    try {
      const { Body } = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      // In Node the SDK's body is an http.IncomingMessage; anything else means a misconfigured client.
      if (!(Body instanceof Readable)) throw new Error('S3 GetObject returned no Node.js stream');
      return Body;
    } catch (e: unknown) {
      throw isNotFound(e) ? new BlobNotFoundError(key) : e;
    }
  }

  async stat(key: string): Promise<{ size: number } | null> {
    assertStorageKey(key);
    try {
      const head = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return { size: head.ContentLength ?? 0 };
    } catch (e: unknown) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    assertStorageKey(key);
    // S3 answers 204 whether or not the object existed.
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
  }

  async *list(prefix: string): AsyncIterable<string> {
    assertStorageKeyPrefix(prefix);
    for await (const page of paginateListObjectsV2({ client: this.#client }, { Bucket: this.#bucket, Prefix: prefix })) {
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined) yield object.Key;
      }
    }
  }

  /**
   * The bucket names and types the download, so the browser saves it instead of rendering it. The
   * plain `filename` fallback is kept to printable ASCII (the full name travels in `filename*`): raw
   * Latin-1 bytes in a header come back mangled from some servers and clients.
   */
  async presignedGetUrl(key: string, { expiresInSeconds, fileName, contentType }: PresignedGetOptions): Promise<string> {
    assertStorageKey(key);
    const command = new GetObjectCommand({
      Bucket: this.#bucket,
      Key: key,
      ResponseContentDisposition: contentDisposition(fileName, { type: 'attachment', fallback: fileName.replace(/[^\x20-\x7e]/g, '_') }),
      ResponseContentType: contentType,
    });
    return getSignedUrl(this.#client, command, { expiresIn: expiresInSeconds });
  }

  /** None: incomplete multipart uploads are expired by the bucket's lifecycle rule (docs/operations.md). */
  staleUploads(_before: Date): Promise<string[]> {
    return Promise.resolve([]);
  }

  removeStaleUpload(name: string): Promise<void> {
    return Promise.reject(new InvalidStorageKeyError(name));
  }
}

/** GetObject reports a missing key as NoSuchKey; HeadObject has no body, so only as NotFound. */
function isNotFound(e: unknown): boolean {
  return e instanceof S3ServiceException && (e.name === 'NoSuchKey' || e.name === 'NotFound');
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
