import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalBlobStorage } from '../../src/records/local-blob-storage.ts';
import { createAttachmentFixture, type AttachmentFixture } from '../support/attachment-fixture.ts';
import { DIALECTS, tempDir } from '../support/stores.ts';

interface Check {
  ok: boolean;
  staleUploads: string[];
  staleUploadsRemoved: boolean;
}

/** A small file system of its own (tmpfs), so that "the disk is full" is the kernel's answer, not a stand-in. */
function mountSmallDisk(bytes: number): { dir: string; unmount(): void } | null {
  const dir = tempDir('runledger-small-disk-');
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) return null;
  return { dir, unmount: () => void spawnSync('umount', [dir]) };
}

for (const dialect of DIALECTS) {
  describe(`the attachment store failing [${dialect}]`, () => {
    let f: AttachmentFixture | undefined;
    let disk: { dir: string; unmount(): void } | null = null;
    afterEach(async () => {
      await f?.dispose();
      f = undefined;
      disk?.unmount();
      disk = null;
    });

    it('reports the temporary files of uploads a stopped server left behind, and removes them when asked', async () => {
      f = await createAttachmentFixture(dialect, 'local');
      const temp = path.join(f.storageDir!, '.tmp');
      fs.mkdirSync(temp, { recursive: true });
      const stale = crypto.randomUUID();
      const fresh = crypto.randomUUID();
      fs.writeFileSync(path.join(temp, stale), 'half an upload');
      fs.writeFileSync(path.join(temp, fresh), 'an upload under way');
      const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
      fs.utimesSync(path.join(temp, stale), twoHoursAgo, twoHoursAgo);

      const looked = await f.h.api<Check>('GET', '/v1/admin/attachments/check');
      expect(looked.body).toMatchObject({ ok: true, staleUploads: [stale], staleUploadsRemoved: false });
      expect(fs.existsSync(path.join(temp, stale))).toBe(true);

      const cleaned = await f.h.api<Check>('POST', '/v1/admin/attachments/check', { clean: true });
      expect(cleaned.body).toMatchObject({ ok: true, staleUploads: [stale], staleUploadsRemoved: true });
      expect(fs.readdirSync(temp)).toEqual([fresh]);
      expect((await f.h.api<Check>('GET', '/v1/admin/attachments/check')).body.staleUploads).toEqual([]);
      expect((await f.h.api('POST', '/v1/admin/attachments/check', { clean: true }, f.tokens.owner)).status).toBe(403);
    });

    it('answers 507 STORAGE_FULL with the cause when the disk is full, and keeps what was stored', async (ctx) => {
      disk = mountSmallDisk(256 * 1024);
      if (!disk) return ctx.skip('mounting a tmpfs needs root');
      const storage = new LocalBlobStorage(path.join(disk.dir, 'evidence'));
      f = await createAttachmentFixture(dialect, 'local', {}, storage);
      const record = await f.openRecord();
      const kept = await f.upload(record, 'first.txt', 'small enough');
      expect(kept.statusCode, kept.body).toBe(201);
      const big = await f.upload(record, 'photo.bin', crypto.randomBytes(1024 * 1024));
      expect(big.statusCode, big.body).toBe(507);
      expect(big.json()).toMatchObject({ code: 'STORAGE_FULL', details: { reason: 'ENOSPC' } });
      // Nothing half-stored: no row, no temporary file; the first file is intact and the record verifies.
      const list = await f.h.api<{ items: { fileName: string }[] }>('GET', `/v1/executions/${record.executionId}/attachments`);
      expect(list.body.items.map((a) => a.fileName)).toEqual(['first.txt']);
      expect(fs.readdirSync(path.join(disk.dir, 'evidence', '.tmp'))).toEqual([]);
      expect((await f.h.api<Check>('GET', '/v1/admin/attachments/check')).body.ok).toBe(true);
      expect((await f.h.api<{ ok: boolean }>('GET', '/v1/audit/verify')).body.ok).toBe(true);
    });
  });
}
