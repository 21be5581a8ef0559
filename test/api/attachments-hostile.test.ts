import fs from 'node:fs';
import path from 'node:path';
import contentDisposition from 'content-disposition';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BlobStorage } from '../../src/records/s3-blob-storage.ts';
import {
  BACKENDS,
  createAttachmentFixture,
  filesUnder,
  MiB,
  sha256,
  type AttachmentFixture,
  type AttachmentView,
  type OpenRecord,
} from '../support/attachment-fixture.ts';
import { S3RVER_CREDENTIALS } from '../support/s3-server.ts';
import { DIALECTS } from '../support/stores.ts';
import { handMadePng } from '../support/hand-made-png.ts';

const DAY_MS = 86_400_000;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const SERVER_KEY = new RegExp(`^(attachments/${UUID}/${UUID}|thumbnails/${UUID}/${UUID}\\.webp)$`);

const HOSTILE_NAMES = [
  '../../etc/passwd',
  '..\\..\\',
  '..\\..\\windows\\win.ini',
  '%2F..%2F..%2Fetc%2Fpasswd',
  '/etc/shadow',
  'C:\\Windows\\System32\\drivers\\etc\\hosts',
  'evil\u0000.txt',
  'invoice\u202Efdp.exe',
  `${'a'.repeat(300)}.txt`,
  '.htaccess',
  'a\r\nX-Injected: yes.txt',
  'Prüfbericht für Müller.txt',
];

for (const dialect of DIALECTS) {
  for (const backend of BACKENDS) {
    describe(`hostile attachments [${dialect}, ${backend}]`, () => {
      let f: AttachmentFixture;
      let record: OpenRecord;

      beforeAll(async () => {
        f = await createAttachmentFixture(dialect, backend, { maxBytes: 2 * MiB, userQuotaBytes: 8 * MiB });
        record = await f.openRecord();
      });
      afterAll(async () => {
        await f.dispose();
      });

      async function uploaded(fileName: string, content: Buffer | string, on: OpenRecord = record): Promise<AttachmentView> {
        const res = await f.upload(on, fileName, content);
        expect(res.statusCode, res.body).toBe(201);
        return res.json<AttachmentView>();
      }

      /** The headers a browser gets for the download: from the API, or from the bucket it is redirected to. */
      async function downloadHeaders(id: string): Promise<Record<string, string>> {
        const res = await f.call('GET', `/v1/attachments/${id}`);
        if (backend === 'local') return res.headers as Record<string, string>;
        expect(res.statusCode).toBe(302);
        const fetched = await fetch(String(res.headers.location));
        expect(fetched.status).toBe(200);
        return Object.fromEntries(fetched.headers);
      }

      /** Every object in storage is one the server named, and (locally) every file is such an object. */
      async function expectOnlyServerKeys(): Promise<string[]> {
        const keys = await f.storedKeys();
        for (const key of keys) expect(key).toMatch(SERVER_KEY);
        if (f.storageDir) {
          const files = filesUnder(f.storageDir);
          expect(files).toEqual(keys);
        }
        return keys;
      }

      it('keeps hostile file names as harmless display text that never reaches a path', async () => {
        for (const name of HOSTILE_NAMES) {
          const a = await uploaded(name, `content of ${JSON.stringify(name)}`);
          expect(a.fileName.length, name).toBeGreaterThan(0);
          expect(a.fileName.length, name).toBeLessThanOrEqual(200);
          expect(a.fileName, name).not.toMatch(/[/\\\p{Cc}\p{Cf}]/u);
          expect(a.fileName.startsWith('.'), name).toBe(false);
          const row = await f.h.store.db.selectFrom('attachments').select('storage_key').where('id', '=', a.id).executeTakeFirstOrThrow();
          expect(row.storage_key).toBe(`attachments/${record.executionId}/${a.id}`);
          const disposition = (await downloadHeaders(a.id))['content-disposition']!;
          expect(contentDisposition.parse(disposition).type).toBe('attachment');
          expect(disposition).not.toMatch(/\p{Cc}|\.\.\/|\.\.\\/u);
          expect(disposition).not.toContain('X-Injected: yes');
        }
        const names = (await f.call('GET', `/v1/executions/${record.executionId}/attachments`)).json<{ items: AttachmentView[] }>();
        expect(names.items.map((a) => a.fileName)).toEqual(
          expect.arrayContaining([
            'passwd',
            '_2F.._2F.._2Fetc_2Fpasswd',
            'shadow',
            'hosts',
            'evil.txt',
            'invoicefdp.exe',
            'htaccess',
            'Prüfbericht für Müller.txt',
          ]),
        );
        const long = names.items.find((a) => a.fileName.startsWith('aaaa'))!;
        expect(long.fileName).toBe(`${'a'.repeat(196)}.txt`);
        await expectOnlyServerKeys();
        // Nothing was written next to the storage directory either (its parent is the fixture's own).
        if (f.storageDir) expect(fs.readdirSync(path.dirname(f.storageDir))).toEqual([path.basename(f.storageDir)]);
      });

      it('never serves HTML or SVG as such, whatever they are called', async () => {
        const html = await uploaded('screenshot.png', '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');
        const svg = await uploaded(
          'logo.svg',
          '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
        );
        expect(html).toMatchObject({ mediaType: 'text/html', thumbnailStatus: 'none' });
        expect(svg).toMatchObject({ mediaType: 'image/svg+xml', thumbnailStatus: 'none' });
        for (const [a, name] of [
          [html, 'screenshot.png'],
          [svg, 'logo.svg'],
        ] as const) {
          const headers = await downloadHeaders(a.id);
          expect(headers['content-type']).toBe('application/octet-stream');
          expect(headers['content-disposition']).toBe(`attachment; filename="${name}"`);
          if (backend === 'local') expect(headers['x-content-type-options']).toBe('nosniff');
          const thumb = await f.call('GET', `/v1/attachments/${a.id}/thumbnail`);
          expect(thumb.statusCode).toBe(404);
          expect(thumb.json()).toMatchObject({ code: 'THUMBNAIL_NOT_AVAILABLE', details: { thumbnailStatus: 'none' } });
        }
      });

      it('refuses to thumbnail a pixel bomb and keeps the evidence intact', async () => {
        const bomb = handMadePng(14000, 14000); // a few hundred bytes declaring 196 MP
        expect(bomb.length).toBeLessThan(1024);
        const a = await uploaded('huge.png', bomb);
        expect(a).toMatchObject({ mediaType: 'image/png', thumbnailStatus: 'pending', sha256: sha256(bomb) });
        await f.h.attachments.thumbnailsIdle();
        const row = await f.h.store.db.selectFrom('attachments').selectAll().where('id', '=', a.id).executeTakeFirstOrThrow();
        expect(row.thumbnail_status).toBe('failed');
        expect(row.thumbnail_error).toMatch(/pixel limit/);
        expect(row.thumbnail_key).toBeNull();
        const thumb = await f.call('GET', `/v1/attachments/${a.id}/thumbnail`);
        expect(thumb.json()).toMatchObject({ status: 404, code: 'THUMBNAIL_NOT_AVAILABLE', details: { thumbnailStatus: 'failed' } });
        const res = await f.call('GET', `/v1/attachments/${a.id}`);
        const bytes = backend === 'local' ? res.rawPayload : Buffer.from(await (await fetch(String(res.headers.location))).arrayBuffer());
        expect(sha256(bytes)).toBe(a.sha256);
      });

      it('streams past the JSON body limit, accepts exactly the upload limit, and stores nothing of a larger file', async () => {
        // 1.5 MiB is over the app's 1 MiB JSON body limit, which does not apply to uploads.
        const big = await uploaded('big.bin', Buffer.alloc(1.5 * MiB, 7));
        expect(big.sizeBytes).toBe(1.5 * MiB);
        const exact = await uploaded('exact.bin', Buffer.alloc(2 * MiB, 8));
        expect(exact.sizeBytes).toBe(2 * MiB);
        const before = await expectOnlyServerKeys();
        const rows = async () => (await f.h.store.db.selectFrom('attachments').select('id').execute()).length;
        const rowsBefore = await rows();

        const res = await f.upload(record, 'too-big.bin', Buffer.alloc(2 * MiB + 1, 9));
        expect(res.statusCode).toBe(413);
        expect(res.json()).toMatchObject({ code: 'ATTACHMENT_TOO_LARGE', details: { maxBytes: 2 * MiB } });
        expect(await expectOnlyServerKeys()).toEqual(before);
        expect(await rows()).toBe(rowsBefore);
        if (f.storageDir) expect(fs.readdirSync(path.join(f.storageDir, '.tmp'))).toEqual([]);
      });

      /** A new member with a record waiting at its manual step, and a way to upload to it as them. */
      async function newUploader(username: string) {
        const created = await f.h.api<{ id: string }>('POST', '/v1/admin/users', { username, password: `${username}-password` });
        expect(created.status).toBe(201);
        const token = (await f.h.auth.login(username, `${username}-password`)).token;
        const run = await f.h.api<{ executionId: string }>('POST', '/v1/workflows/evidence/run', {}, token);
        let taskRunId = '';
        while (!taskRunId) {
          const view = await f.h.api<{ taskRuns: { id: string; status: string }[] }>('GET', `/v1/executions/${run.body.executionId}`);
          taskRunId = view.body.taskRuns.find((r) => r.status === 'waiting')?.id ?? '';
          await new Promise((r) => setTimeout(r, 20));
        }
        const url = `/v1/executions/${run.body.executionId}/steps/${taskRunId}/attachments`;
        const { fileForm } = await import('../support/multipart.ts');
        const send = (name: string, size: number) => {
          const form = fileForm(name, Buffer.alloc(size, 1));
          return f.h.app.inject({
            method: 'POST',
            url,
            headers: { authorization: `Bearer ${token}`, ...form.headers },
            payload: form.payload,
          });
        };
        return { token, send };
      }

      it('holds each person to their quota, counting deleted bytes until they are purged', async () => {
        // quinn starts from nothing: the quota is 8 MiB, an upload at most 2 MiB
        const { token: quinn, send } = await newUploader('quinn');
        const first = await send('one.bin', 2 * MiB);
        expect(first.statusCode).toBe(201);
        expect((await send('two.bin', 2 * MiB)).statusCode).toBe(201);
        expect((await send('three.bin', 2 * MiB)).statusCode).toBe(201);
        expect((await send('four.bin', 1.5 * MiB)).statusCode).toBe(201);
        const keys = await f.storedKeys();

        // 0.5 MiB is left: a 1 MiB file is cut off at the quota, not at the upload limit
        const over = await send('five.bin', 1 * MiB);
        expect(over.statusCode).toBe(413);
        expect(over.json()).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { quotaBytes: 8 * MiB } });
        expect(await f.storedKeys()).toEqual(keys);
        expect((await send('fits.bin', 0.5 * MiB)).statusCode).toBe(201);
        expect((await send('one-byte.bin', 1)).json()).toMatchObject({ status: 413, code: 'QUOTA_EXCEEDED' });

        // deleting frees nothing until the purge removes the bytes
        const firstId = first.json<AttachmentView>().id;
        const deleted = await f.h.api<{ deletedAt: string }>('DELETE', `/v1/attachments/${firstId}`, undefined, quinn);
        expect(deleted.status).toBe(200);
        expect((await send('one-byte.bin', 1)).statusCode).toBe(413);
        await f.h.attachments.purgeDeleted({ now: new Date(Date.parse(deleted.body.deletedAt) + 8 * DAY_MS) });
        expect((await send('after-purge.bin', 1024)).statusCode).toBe(201);
      });

      it('lets only one of two uploads that finish at once take the last of a quota', async () => {
        const { send } = await newUploader('ruth');
        for (const name of ['a.bin', 'b.bin', 'c.bin']) expect((await send(name, 2 * MiB)).statusCode).toBe(201);
        // 2 MiB left: each fits alone, both do not
        const both = await Promise.all([send('d.bin', 1.5 * MiB), send('e.bin', 1.5 * MiB)]);
        expect(both.map((r) => r.statusCode).sort()).toEqual([201, 413]);
      });
    });
  }
}

describe('an unreachable bucket', () => {
  it('answers 503 STORAGE_UNAVAILABLE without saying where, and records nothing', async () => {
    const unreachable = new S3BlobStorage({
      bucket: 'evidence',
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      ...S3RVER_CREDENTIALS,
    });
    const f = await createAttachmentFixture('sqlite', 's3', {}, unreachable);
    try {
      const record = await f.openRecord();
      const res = await f.upload(record, 'a.txt', 'going nowhere');
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: 'STORAGE_UNAVAILABLE', details: { reason: 'ECONNREFUSED' } });
      expect(res.body).not.toContain('127.0.0.1');
      expect(await f.h.store.db.selectFrom('attachments').select('id').execute()).toEqual([]);
      const events = await f.h.store.db.selectFrom('audit_events').select('id').where('event_type', '=', 'ATTACHMENT_ADDED').execute();
      expect(events).toEqual([]);
    } finally {
      await f.dispose();
    }
  });
});
