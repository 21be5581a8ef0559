import { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.ts';
import {
  BACKENDS,
  createAttachmentFixture,
  sha256,
  type AttachmentFixture,
  type AttachmentView,
  type OpenRecord,
} from '../support/attachment-fixture.ts';
import { DIALECTS } from '../support/stores.ts';
import { S3RVER_CREDENTIALS } from '../support/s3-server.ts';
import { presignedUrlVerifies } from '../support/sigv4-presigned.ts';

const DAY_MS = 86_400_000;
const KEY = /^attachments\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/;

interface AuditEvent {
  eventType: string;
  actor: { kind: string; userId: string | null };
  metadata: Record<string, unknown>;
}

for (const dialect of DIALECTS) {
  for (const backend of BACKENDS) {
    describe(`attachments [${dialect}, ${backend}]`, () => {
      let f: AttachmentFixture;
      let record: OpenRecord;

      beforeAll(async () => {
        // Short pre-signed URLs, so that their expiry can be watched.
        f = await createAttachmentFixture(dialect, backend, { urlTtlSeconds: 2 });
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

      async function auditOf(executionId: string): Promise<{ items: AuditEvent[]; verification: { ok: boolean } }> {
        const res = await f.h.api<{ items: AuditEvent[]; verification: { ok: boolean } }>('GET', `/v1/executions/${executionId}/audit`);
        expect(res.status).toBe(200);
        return res.body;
      }

      /** The bytes and headers of a download: streamed by the API, or fetched from the pre-signed URL it redirects to. */
      async function download(id: string, person: 'owner' | 'reader' = 'reader') {
        const res = await f.call('GET', `/v1/attachments/${id}`, person);
        if (backend === 'local') {
          expect(res.statusCode, res.body).toBe(200);
          return { bytes: res.rawPayload, headers: res.headers as Record<string, string> };
        }
        expect(res.statusCode, res.body).toBe(302);
        expect(res.headers['cache-control']).toBe('private, no-store');
        const fetched = await fetch(String(res.headers.location));
        expect(fetched.status).toBe(200);
        return { bytes: Buffer.from(await fetched.arrayBuffer()), headers: Object.fromEntries(fetched.headers) };
      }

      it('stores an upload under a server-made key, lists it, audits it with its sha256, and serves the same bytes', async () => {
        const content = 'disk usage at 41 % after the clean-up\n';
        const a = await uploaded('notes.txt', content);
        expect(a).toEqual({
          id: expect.any(String),
          executionId: record.executionId,
          taskRunId: record.taskRunId,
          fileName: 'notes.txt',
          sizeBytes: Buffer.byteLength(content),
          mediaType: 'text/plain',
          sha256: sha256(content),
          thumbnailStatus: 'none',
          uploadedBy: f.userIds.owner,
          createdAt: expect.any(String),
        });
        const row = await f.h.store.db.selectFrom('attachments').selectAll().where('id', '=', a.id).executeTakeFirstOrThrow();
        expect(row).toMatchObject({ storage: backend, storage_key: `attachments/${record.executionId}/${a.id}` });
        expect(await f.storage.stat(row.storage_key)).toEqual({ size: a.sizeBytes });

        const list = await f.call('GET', `/v1/executions/${record.executionId}/attachments`, 'reader');
        expect(list.statusCode).toBe(200);
        expect(list.json<{ items: AttachmentView[] }>().items).toContainEqual(a);

        const audit = await auditOf(record.executionId);
        expect(audit.verification.ok).toBe(true);
        const added = audit.items.find((e) => e.eventType === 'ATTACHMENT_ADDED' && e.metadata.attachmentId === a.id);
        expect(added).toMatchObject({
          actor: { kind: 'user', userId: f.userIds.owner },
          metadata: {
            taskRunId: record.taskRunId,
            fileName: 'notes.txt',
            sizeBytes: a.sizeBytes,
            mediaType: 'text/plain',
            sha256: sha256(content),
          },
        });

        const { bytes, headers } = await download(a.id);
        expect(bytes.toString()).toBe(content);
        expect(headers['content-type']).toBe('text/plain; charset=utf-8');
        expect(headers['content-disposition']).toBe('attachment; filename="notes.txt"');
        if (backend === 'local') {
          expect(headers).toMatchObject({
            'x-content-type-options': 'nosniff',
            'content-security-policy': "sandbox; default-src 'none'",
            'content-length': String(a.sizeBytes),
          });
        }
      });

      it('answers 404 for evidence the actor may not read, exactly as for a missing attachment', async () => {
        const a = await uploaded('private.txt', 'only for olivia and those she shares with');
        const missing = newId();
        for (const suffix of ['', '/url', '/thumbnail']) {
          const denied = await f.call('GET', `/v1/attachments/${a.id}${suffix}`, 'other');
          const none = await f.call('GET', `/v1/attachments/${missing}${suffix}`, 'other');
          expect(denied.statusCode).toBe(404);
          expect(denied.json()).toEqual(JSON.parse(none.body.replaceAll(missing, a.id)));
          expect(denied.json()).toMatchObject({ code: 'ATTACHMENT_NOT_FOUND' });
        }
        expect((await f.call('GET', `/v1/executions/${record.executionId}/attachments`, 'other')).statusCode).toBe(404);
        expect((await f.call('DELETE', `/v1/attachments/${a.id}`, 'other')).statusCode).toBe(404);
        expect((await f.call('GET', `/v1/attachments/${a.id}`, null)).statusCode).toBe(401);
        // and the reader may read but not change
        const byReader = await f.call('DELETE', `/v1/attachments/${a.id}`, 'reader');
        expect(byReader.statusCode).toBe(403);
        expect(byReader.json()).toMatchObject({ code: 'FORBIDDEN' });
        expect((await f.upload(record, 'x.txt', 'x', 'reader')).statusCode).toBe(403);
        expect((await f.upload(record, 'x.txt', 'x', 'other')).statusCode).toBe(404);
      });

      it('issues download URLs to readers only; pre-signed ones work, then expire', async () => {
        const content = Buffer.from('evidence that must not outlive its link');
        const a = await uploaded('link.txt', content);
        const res = await f.call('GET', `/v1/attachments/${a.id}/url`, 'reader');
        expect(res.statusCode).toBe(200);
        const { url, expiresAt } = res.json<{ url: string; expiresAt: string | null }>();
        if (backend === 'local') {
          expect({ url, expiresAt }).toEqual({ url: `/v1/attachments/${a.id}`, expiresAt: null });
          return;
        }
        expect(url.startsWith(`${f.s3!.endpoint}/`)).toBe(true);
        expect(url).not.toContain('link.txt/'); // the name is a response parameter, never the key
        expect(Date.parse(expiresAt!) - Date.now()).toBeLessThanOrEqual(2000);
        // Scope: the signature binds this object, its response headers and its expiry. The test server
        // does not check signatures, so they are checked here as S3 does: only the URL as issued verifies.
        expect(presignedUrlVerifies(url, S3RVER_CREDENTIALS)).toBe(true);
        const other = await uploaded('other.txt', 'another file');
        expect(presignedUrlVerifies(url.replace(a.id, other.id), S3RVER_CREDENTIALS)).toBe(false);
        const inline = new URL(url);
        inline.searchParams.set('response-content-disposition', 'inline');
        expect(presignedUrlVerifies(inline.toString(), S3RVER_CREDENTIALS)).toBe(false);
        const longer = new URL(url);
        longer.searchParams.set('X-Amz-Expires', '604800');
        expect(presignedUrlVerifies(longer.toString(), S3RVER_CREDENTIALS)).toBe(false);
        const first = await fetch(url);
        expect(first.status).toBe(200);
        expect(Buffer.from(await first.arrayBuffer())).toEqual(content);
        expect(first.headers.get('content-disposition')).toBe('attachment; filename="link.txt"');
        // S3 signs to the second: wait past the stated expiry, and then some.
        await new Promise((r) => setTimeout(r, Date.parse(expiresAt!) - Date.now() + 1500));
        const late = await fetch(url);
        expect(late.status).toBe(403);
        expect(await late.text()).toContain('expired');
      });

      it('makes a WebP thumbnail of a raster image, the only thing served inline', async () => {
        const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#2a6' } })
          .png()
          .toBuffer();
        const a = await uploaded('dashboard.png', png);
        expect(a).toMatchObject({ mediaType: 'image/png', thumbnailStatus: 'pending' });
        await f.h.attachments.thumbnailsIdle();
        const list = (await f.call('GET', `/v1/executions/${record.executionId}/attachments`)).json<{ items: AttachmentView[] }>();
        expect(list.items.find((x) => x.id === a.id)?.thumbnailStatus).toBe('ready');
        expect(await f.storage.stat(`thumbnails/${record.executionId}/${a.id}.webp`)).not.toBeNull();

        const thumb = await f.call('GET', `/v1/attachments/${a.id}/thumbnail`, 'reader');
        expect(thumb.statusCode).toBe(200);
        expect(thumb.headers).toMatchObject({
          'content-type': 'image/webp',
          'content-disposition': 'inline',
          'x-content-type-options': 'nosniff',
          'content-security-policy': "sandbox; default-src 'none'",
        });
        expect(await sharp(thumb.rawPayload).metadata()).toMatchObject({ format: 'webp', width: 320, height: 240 });

        const original = await download(a.id);
        expect(original.headers['content-type']).toBe('image/png');
        expect(original.headers['content-disposition']).toBe('attachment; filename="dashboard.png"');
        expect(sha256(original.bytes)).toBe(sha256(png));

        const text = await uploaded('plain.txt', 'no pixels here');
        const none = await f.call('GET', `/v1/attachments/${text.id}/thumbnail`);
        expect(none.statusCode).toBe(404);
        expect(none.json()).toMatchObject({ code: 'THUMBNAIL_NOT_AVAILABLE', details: { thumbnailStatus: 'none' } });
      });

      it('refuses what is not a file upload to a step of this execution', async () => {
        const url = `/v1/executions/${record.executionId}/steps/${record.taskRunId}/attachments`;
        const headers = { authorization: `Bearer ${f.tokens.owner}` };
        const json = await f.h.app.inject({ method: 'POST', url, headers, payload: { file: 'x' } });
        expect(json.statusCode).toBe(415);
        expect(json.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });

        const { multipartBody } = await import('../support/multipart.ts');
        const wrong = multipartBody([{ name: 'evidence', fileName: 'a.txt', content: 'a' }]);
        const badPart = await f.h.app.inject({ method: 'POST', url, headers: { ...headers, ...wrong.headers }, payload: wrong.payload });
        expect(badPart.statusCode).toBe(400);
        expect(badPart.json()).toMatchObject({ code: 'VALIDATION_FAILED' });

        const noBoundary = await f.h.app.inject({
          method: 'POST',
          url,
          headers: { ...headers, 'content-type': 'multipart/form-data' },
          payload: 'x',
        });
        expect(noBoundary.statusCode).toBe(400);
        expect(noBoundary.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
        const fields = multipartBody(Array.from({ length: 6 }, (_, i) => ({ name: `f${i}`, content: 'v' })));
        const tooMany = await f.h.app.inject({ method: 'POST', url, headers: { ...headers, ...fields.headers }, payload: fields.payload });
        expect(tooMany.statusCode).toBe(400);
        expect(tooMany.json()).toMatchObject({ code: 'VALIDATION_FAILED' });

        const elsewhere = await f.openRecord();
        const foreign = await f.upload({ executionId: record.executionId, taskRunId: elsewhere.taskRunId }, 'a.txt', 'a');
        expect(foreign.statusCode).toBe(404);
        expect(foreign.json()).toMatchObject({ code: 'TASK_RUN_NOT_FOUND' });
      });

      it('deletes softly, keeps the bytes through the grace period, then purges them', async () => {
        const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#a33' } })
          .png()
          .toBuffer();
        const a = await uploaded('to-delete.png', png);
        await f.h.attachments.thumbnailsIdle();
        const key = `attachments/${record.executionId}/${a.id}`;
        const thumbnail = `thumbnails/${record.executionId}/${a.id}.webp`;

        const deleted = await f.call('DELETE', `/v1/attachments/${a.id}`);
        expect(deleted.statusCode).toBe(200);
        expect(deleted.json()).toEqual({ id: a.id, deletedAt: expect.any(String) });
        const deletedAt = Date.parse(deleted.json<{ deletedAt: string }>().deletedAt);
        expect((await f.call('GET', `/v1/attachments/${a.id}`)).json()).toMatchObject({ code: 'ATTACHMENT_NOT_FOUND' });
        expect((await f.call('DELETE', `/v1/attachments/${a.id}`)).statusCode).toBe(404);
        const list = (await f.call('GET', `/v1/executions/${record.executionId}/attachments`)).json<{ items: AttachmentView[] }>();
        expect(list.items.map((x) => x.id)).not.toContain(a.id);

        expect(await f.h.attachments.purgeDeleted({ now: new Date(deletedAt + 6 * DAY_MS) })).toEqual({ purged: 0, failed: [] });
        expect(await f.storage.stat(key)).not.toBeNull();
        expect(await f.h.attachments.purgeDeleted({ now: new Date(deletedAt + 7 * DAY_MS + 1000) })).toEqual({ purged: 1, failed: [] });
        expect(await f.storage.stat(key)).toBeNull();
        expect(await f.storage.stat(thumbnail)).toBeNull();
        const row = await f.h.store.db.selectFrom('attachments').selectAll().where('id', '=', a.id).executeTakeFirstOrThrow();
        expect(row.purged_at).not.toBeNull();
        expect(await f.h.attachments.purgeDeleted({ now: new Date(deletedAt + 30 * DAY_MS) })).toEqual({ purged: 0, failed: [] });

        const audit = await auditOf(record.executionId);
        expect(audit.verification.ok).toBe(true);
        const events = audit.items.filter((e) => e.metadata.attachmentId === a.id);
        expect(events.map((e) => [e.eventType, e.actor.kind])).toEqual([
          ['ATTACHMENT_ADDED', 'user'],
          ['ATTACHMENT_DELETED', 'user'],
          ['ATTACHMENT_PURGED', 'system'],
        ]);
        expect(events[2]!.metadata).toMatchObject({ reason: 'attachment_deleted', sha256: a.sha256, graceDays: 7 });
      });

      it('hides the evidence of a deleted execution, brings it back on restore, and purges it after the grace period', async () => {
        const doomed = await f.openRecord();
        const a = await uploaded('gone-with-it.txt', 'bye', doomed);
        const owner = { authorization: `Bearer ${f.tokens.owner}` };
        const ended = await f.h.app.inject({
          method: 'POST',
          url: `/v1/executions/${doomed.executionId}/steps/${doomed.taskRunId}/complete`,
          headers: owner,
          payload: { status: 'succeeded' },
        });
        expect(ended.statusCode).toBe(200);
        await f.h.engine.waitForExecution(doomed.executionId);
        const remove = () => f.h.app.inject({ method: 'DELETE', url: `/v1/executions/${doomed.executionId}`, headers: owner });

        expect((await remove()).statusCode).toBe(200);
        expect((await f.h.api('GET', `/v1/attachments/${a.id}`)).status).toBe(404);
        expect((await f.h.api('POST', `/v1/executions/${doomed.executionId}/restore`)).status).toBe(200);
        const back = await f.h.api<string>('GET', `/v1/attachments/${a.id}/url`);
        expect(back.status).toBe(200);

        const deleted = await remove();
        expect(deleted.statusCode).toBe(200);
        const deletedAt = deleted.json<{ deletedAt: string }>().deletedAt;
        const res = await f.h.api<{ code: string }>('GET', `/v1/attachments/${a.id}`);
        expect(res).toMatchObject({ status: 404, body: { code: 'ATTACHMENT_NOT_FOUND' } });
        expect((await f.h.api('GET', `/v1/attachments/${a.id}/url`)).status).toBe(404);

        const now = Date.parse(deletedAt);
        expect((await f.h.attachments.purgeDeleted({ now: new Date(now + DAY_MS) })).purged).toBe(0);
        expect((await f.h.attachments.purgeDeleted({ now: new Date(now + 8 * DAY_MS) })).purged).toBe(1);
        expect(await f.storage.stat(`attachments/${doomed.executionId}/${a.id}`)).toBeNull();
        const purged = await f.h.store.db
          .selectFrom('audit_events')
          .select(['metadata', 'actor'])
          .where('execution_id', '=', doomed.executionId)
          .where('event_type', '=', 'ATTACHMENT_PURGED')
          .executeTakeFirstOrThrow();
        const metadata = typeof purged.metadata === 'string' ? JSON.parse(purged.metadata) : purged.metadata;
        expect(metadata).toMatchObject({ attachmentId: a.id, reason: 'execution_deleted' });
      });

      it('freezes the evidence once the record has ended', async () => {
        const closing = await f.openRecord();
        const a = await uploaded('kept.txt', 'kept forever', closing);
        const done = await f.h.api('POST', `/v1/executions/${closing.executionId}/steps/${closing.taskRunId}/complete`, {
          status: 'succeeded',
        });
        expect(done.status).toBe(200);
        await f.h.engine.waitForExecution(closing.executionId);
        const late = await f.upload(closing, 'late.txt', 'too late');
        expect(late.statusCode).toBe(409);
        expect(late.json()).toMatchObject({ code: 'RECORD_ENDED' });
        const removal = await f.call('DELETE', `/v1/attachments/${a.id}`);
        expect(removal.statusCode).toBe(409);
        expect(removal.json()).toMatchObject({ code: 'RECORD_ENDED' });
        expect((await download(a.id)).bytes.toString()).toBe('kept forever');
      });

      it('checks storage against the rows: missing, altered and orphaned objects', async () => {
        const clean = await f.h.api<{ ok: boolean; checked: number }>('GET', '/v1/admin/attachments/check');
        expect(clean.status).toBe(200);
        expect(clean.body).toMatchObject({ ok: true, missing: [], altered: [], orphans: [] });
        expect(clean.body.checked).toBeGreaterThan(0);
        expect((await f.call('GET', '/v1/admin/attachments/check', 'owner')).statusCode).toBe(403);

        const lost = await uploaded('lost.txt', 'this object will vanish');
        const changed = await uploaded('changed.txt', 'original wording');
        await f.storage.delete(`attachments/${record.executionId}/${lost.id}`);
        const rewritten = Buffer.from('forged wording!!');
        await f.storage.put(`attachments/${record.executionId}/${changed.id}`, Readable.from([rewritten]), { maxBytes: 100 });
        const orphan = `attachments/${record.executionId}/${newId()}`;
        await f.storage.put(orphan, Readable.from([Buffer.from('nobody knows me')]), { maxBytes: 100 });

        const report = await f.h.api<Record<string, unknown>>('GET', '/v1/admin/attachments/check');
        expect(report.body).toEqual({
          ok: false,
          checked: clean.body.checked + 2,
          missing: [
            {
              id: lost.id,
              executionId: record.executionId,
              taskRunId: record.taskRunId,
              fileName: 'lost.txt',
              storageKey: `attachments/${record.executionId}/${lost.id}`,
            },
          ],
          altered: [
            {
              id: changed.id,
              executionId: record.executionId,
              taskRunId: record.taskRunId,
              fileName: 'changed.txt',
              storageKey: `attachments/${record.executionId}/${changed.id}`,
              expectedSha256: sha256('original wording'),
              actualSha256: sha256(rewritten),
              expectedSizeBytes: 16,
              actualSizeBytes: 16,
            },
          ],
          orphans: [orphan],
          staleUploads: [],
          staleUploadsRemoved: false,
        });
        for (const key of await f.storedKeys()) expect(key).toMatch(key.startsWith('thumbnails/') ? /\.webp$/ : KEY);
        const missingDownload = await f.call('GET', `/v1/attachments/${lost.id}`);
        if (backend === 'local') expect(missingDownload.json()).toMatchObject({ status: 503, code: 'STORAGE_UNAVAILABLE' });
      });
    });
  }
}
