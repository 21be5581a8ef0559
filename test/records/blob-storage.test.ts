import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  assertStorageKey,
  BlobNotFoundError,
  BlobTooLargeError,
  InvalidStorageKeyError,
  type BlobStorage,
} from '../../src/records/blob-storage.ts';
import { createBlobStorage } from '../../src/records/create-blob-storage.ts';
import { LocalBlobStorage } from '../../src/records/local-blob-storage.ts';
import { S3BlobStorage } from '../../src/records/s3-blob-storage.ts';
import { S3RVER_CREDENTIALS, startS3Server } from '../support/s3-server.ts';
import { CHUNK, generatedBytes } from '../support/generated-bytes.ts';

const MiB = 1024 * 1024;

/**
 * A full garbage collection. Dead part buffers live outside the V8 heap, and V8 lets tens of MB of
 * them pile up before collecting; without this the RSS check would measure GC timing, not retention.
 */
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

interface Fixture {
  storage: BlobStorage;
  /** Files an interrupted put could leave outside the keyspace (the local temp directory). */
  strayFiles(): Promise<string[]>;
  dispose(): Promise<void>;
}

async function localFixture(): Promise<Fixture> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'runledger-blobs-'));
  return {
    storage: new LocalBlobStorage(root),
    strayFiles: async () => readdir(path.join(root, '.tmp')).catch(() => []),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}

async function s3Fixture(): Promise<Fixture> {
  const server = await startS3Server();
  return {
    storage: new S3BlobStorage({ bucket: server.bucket, endpoint: server.endpoint, region: 'us-east-1', ...S3RVER_CREDENTIALS }),
    strayFiles: async () => [],
    dispose: () => server.close(),
  };
}

const BACKENDS = [
  { kind: 'local', open: localFixture },
  { kind: 's3', open: s3Fixture },
] as const;

/** `totalBytes` as a stream of fresh 64 KiB chunks made on demand, never one prebuilt buffer. */
function generatedBody(totalBytes: number): { body: Readable; sha256: () => string } {
  const { chunks, sha256 } = generatedBytes(totalBytes);
  return { body: Readable.from(chunks, { objectMode: false }), sha256 };
}

function bodyOf(bytes: Buffer): Readable {
  return Readable.from([bytes], { objectMode: false });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function listAll(storage: BlobStorage, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of storage.list(prefix)) keys.push(key);
  return keys.sort();
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const KEY = 'attachments/5d9e0c1e-8f7a-4a43-9a54-0d7c2f0b6a11/0b0e3c55-2a51-4d8e-9f0e-6c1f1f7a2b33';

describe.each(BACKENDS)('BlobStorage ($kind)', ({ kind, open }) => {
  let fixture: Fixture;
  let storage: BlobStorage;
  beforeEach(async () => {
    fixture = await open();
    storage = fixture.storage;
  });
  afterEach(async () => {
    await fixture.dispose();
  });

  it('reports its kind', () => {
    expect(storage.kind).toBe(kind);
  });

  it('round-trips bytes and reports the size and SHA-256 of what it stored', async () => {
    const bytes = randomBytes(300 * 1024);
    await expect(storage.put(KEY, bodyOf(bytes), { maxBytes: MiB, contentType: 'image/png' })).resolves.toEqual({
      size: bytes.length,
      sha256: sha256(bytes),
    });
    expect((await readAll(await storage.get(KEY))).equals(bytes)).toBe(true);
  });

  it('round-trips a body larger than one upload part', async () => {
    const bytes = randomBytes(12 * MiB + 17);
    const stored = await storage.put(KEY, bodyOf(bytes), { maxBytes: 20 * MiB });
    expect(stored).toEqual({ size: bytes.length, sha256: sha256(bytes) });
    expect(sha256(await readAll(await storage.get(KEY)))).toBe(stored.sha256);
  });

  it('stores an empty body and one of exactly maxBytes', async () => {
    await expect(storage.put(KEY, bodyOf(Buffer.alloc(0)), { maxBytes: 10 })).resolves.toEqual({
      size: 0,
      sha256: sha256(Buffer.alloc(0)),
    });
    await expect(storage.put(KEY, bodyOf(Buffer.alloc(10, 1)), { maxBytes: 10 })).resolves.toMatchObject({ size: 10 });
    expect(await storage.stat(KEY)).toEqual({ size: 10 });
  });

  it('replaces an existing object', async () => {
    await storage.put(KEY, bodyOf(Buffer.from('first version')), { maxBytes: 100 });
    await storage.put(KEY, bodyOf(Buffer.from('second')), { maxBytes: 100 });
    expect((await readAll(await storage.get(KEY))).toString()).toBe('second');
  });

  it('rejects get of a missing key with BlobNotFoundError', async () => {
    await expect(storage.get(KEY)).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(storage.get('attachments')).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('stats the size, or null when missing', async () => {
    expect(await storage.stat(KEY)).toBeNull();
    await storage.put(KEY, bodyOf(Buffer.alloc(1234)), { maxBytes: MiB });
    expect(await storage.stat(KEY)).toEqual({ size: 1234 });
  });

  it('deletes idempotently', async () => {
    await storage.put(KEY, bodyOf(Buffer.from('x')), { maxBytes: 10 });
    await storage.delete(KEY);
    expect(await storage.stat(KEY)).toBeNull();
    await expect(storage.delete(KEY)).resolves.toBeUndefined();
    await expect(storage.delete('attachments/never/stored')).resolves.toBeUndefined();
  });

  it('lists keys by prefix', async () => {
    const keys = ['attachments/a/1', 'attachments/a/2', 'attachments/b/1', 'thumbnails/a/1.webp'];
    for (const key of keys) await storage.put(key, bodyOf(Buffer.from(key)), { maxBytes: 100 });
    expect(await listAll(storage, 'attachments/a/')).toEqual(['attachments/a/1', 'attachments/a/2']);
    expect(await listAll(storage, 'attachments/')).toEqual(['attachments/a/1', 'attachments/a/2', 'attachments/b/1']);
    expect(await listAll(storage, 'attachments/b')).toEqual(['attachments/b/1']);
    expect(await listAll(storage, 'thumbnails/a/1')).toEqual(['thumbnails/a/1.webp']);
    expect(await listAll(storage, '')).toEqual(keys);
    expect(await listAll(storage, 'nothing/')).toEqual([]);
  });

  it.each([
    { name: 'a single-part', maxBytes: 1000, totalBytes: 4 * CHUNK },
    { name: 'a multipart', maxBytes: 6 * MiB, totalBytes: 14 * MiB },
  ])('aborts $name upload past maxBytes and leaves nothing behind', async ({ maxBytes, totalBytes }) => {
    const { body } = generatedBody(totalBytes);
    const error: unknown = await storage.put(KEY, body, { maxBytes }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlobTooLargeError);
    expect(error).toMatchObject({ maxBytes });
    expect(body.destroyed).toBe(true);
    expect(await storage.stat(KEY)).toBeNull();
    expect(await listAll(storage, '')).toEqual([]);
    expect(await fixture.strayFiles()).toEqual([]);
  });

  it('rejects with the error of a body that fails midway, and stores nothing', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.alloc(3 * MiB);
      yield Buffer.alloc(3 * MiB);
      throw new Error('client went away');
    }
    await expect(storage.put(KEY, Readable.from(failing(), { objectMode: false }), { maxBytes: 20 * MiB })).rejects.toThrow(
      'client went away',
    );
    expect(await storage.stat(KEY)).toBeNull();
    expect(await fixture.strayFiles()).toEqual([]);
  });

  it.each(['../x', '/abs', 'a/../../b', 'a\\b', '%2F', 'a/%2F/b', 'a\0b', 'a'.repeat(300), '', 'A/b', 'a//b', 'a/b/', 'a/b.txt'])(
    'rejects the key %j before any I/O',
    async (key) => {
      const body = bodyOf(Buffer.from('x'));
      await expect(storage.put(key, body, { maxBytes: 10 })).rejects.toBeInstanceOf(InvalidStorageKeyError);
      expect(body.readableDidRead).toBe(false);
      await expect(storage.get(key)).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(storage.stat(key)).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(storage.delete(key)).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(storage.presignedGetUrl(key, { expiresInSeconds: 60, fileName: 'x', contentType: 'text/plain' })).rejects.toBeInstanceOf(
        InvalidStorageKeyError,
      );
      expect(await listAll(storage, '')).toEqual([]);
    },
  );

  it.each(['../', '/', 'a\\', '%2F', 'a/./'])('rejects the list prefix %j', async (prefix) => {
    await expect(listAll(storage, prefix)).rejects.toBeInstanceOf(InvalidStorageKeyError);
  });

  it('streams a 50 MB upload without holding it in memory', { timeout: 120_000 }, async () => {
    // Warm up first (two full parts in flight), so lazily loaded code, connection pools and the heap's
    // first growth are not counted.
    await storage.put('warm/up', generatedBody(12 * MiB).body, { maxBytes: 20 * MiB });
    await storage.delete('warm/up');
    collectGarbage();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sample = () => {
      collectGarbage();
      peak = Math.max(peak, process.memoryUsage().rss);
    };
    const sampler = setInterval(sample, 25);
    try {
      const { body, sha256: expected } = generatedBody(50 * MiB);
      const stored = await storage.put(KEY, body, { maxBytes: 60 * MiB });
      expect(stored).toEqual({ size: 50 * MiB, sha256: expected() });
    } finally {
      clearInterval(sampler);
    }
    sample();
    // S3 holds up to three 5 MiB parts (two uploading, one filling) and a copy while joining one.
    expect((peak - before) / MiB).toBeLessThan(40);
    expect(await storage.stat(KEY)).toEqual({ size: 50 * MiB });
  });
});

describe('LocalBlobStorage', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'runledger-blobs-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('keeps files and directories private to the server user', async () => {
    await new LocalBlobStorage(root).put(KEY, bodyOf(Buffer.from('evidence')), { maxBytes: 100 });
    expect((await stat(path.join(root, KEY))).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(path.join(root, KEY)))).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(root, 'attachments'))).mode & 0o777).toBe(0o700);
    expect(await readdir(path.join(root, '.tmp'))).toEqual([]);
  });

  it('has no pre-signed URLs: the server streams local files itself', async () => {
    const storage = new LocalBlobStorage(root);
    await storage.put(KEY, bodyOf(Buffer.from('evidence')), { maxBytes: 100 });
    expect(await storage.presignedGetUrl(KEY, { expiresInSeconds: 60, fileName: 'a.txt', contentType: 'text/plain' })).toBeNull();
  });
});

describe('S3BlobStorage pre-signed URLs', () => {
  let server: Awaited<ReturnType<typeof startS3Server>>;
  let storage: S3BlobStorage;
  beforeEach(async () => {
    server = await startS3Server();
    storage = new S3BlobStorage({ bucket: server.bucket, endpoint: server.endpoint, region: 'us-east-1', ...S3RVER_CREDENTIALS });
  });
  afterEach(async () => {
    await server.close();
  });

  it('downloads the bytes as a named attachment of the given type', async () => {
    const bytes = randomBytes(4096);
    await storage.put(KEY, bodyOf(bytes), { maxBytes: MiB, contentType: 'application/octet-stream' });
    const url = await storage.presignedGetUrl(KEY, {
      expiresInSeconds: 60,
      fileName: 'Prüfbericht – März.pdf',
      contentType: 'application/pdf',
    });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="Pr_fbericht _ M_rz.pdf"; filename*=UTF-8''Pr%C3%BCfbericht%20%E2%80%93%20M%C3%A4rz.pdf`,
    );
    expect(response.headers.get('content-type')).toBe('application/pdf');
  });

  it('stops working once expired', { timeout: 10_000 }, async () => {
    await storage.put(KEY, bodyOf(Buffer.from('evidence')), { maxBytes: MiB });
    const url = await storage.presignedGetUrl(KEY, { expiresInSeconds: 1, fileName: 'a.txt', contentType: 'text/plain' });
    // Real time, not fake timers: the server checks the clock. X-Amz-Date has whole seconds, hence 2.5 s.
    await sleep(2500);
    const response = await fetch(url);
    expect(response.status).toBe(403);
    await response.body?.cancel();
  });
});

describe('assertStorageKey', () => {
  it.each([KEY, 'thumbnails/5d9e0c1e/0b0e3c55.webp', 'thumbnails/a/b.png', 'a', 'a'.repeat(200)])('accepts %s', (key) => {
    expect(() => assertStorageKey(key)).not.toThrow();
  });

  it.each(['a.webp/b', 'a/b.webp.png', '.webp', 'a/.png', 'a'.repeat(201), ' a', 'a/b\n'])('rejects %j', (key) => {
    expect(() => assertStorageKey(key)).toThrow(InvalidStorageKeyError);
  });
});

describe('createBlobStorage', () => {
  it('builds the configured backend', () => {
    expect(createBlobStorage({ type: 'local', path: os.tmpdir() })).toBeInstanceOf(LocalBlobStorage);
    const s3 = createBlobStorage({ type: 's3', bucket: 'b', region: 'eu-west-1', endpoint: 'http://127.0.0.1:1' });
    expect(s3).toBeInstanceOf(S3BlobStorage);
    expect(s3.kind).toBe('s3');
  });
});
