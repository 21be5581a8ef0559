import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyExecutionArchive, type ArchiveManifest } from '../../src/observe/execution-archive.ts';
import { BACKENDS, createAttachmentFixture, sha256, type AttachmentFixture, type AttachmentView } from '../support/attachment-fixture.ts';
import { DIALECTS } from '../support/stores.ts';

/** Every file of a .tar.gz, by path. */
async function unpack(archive: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c) => chunks.push(c as Buffer));
    stream.on('end', () => {
      files.set(header.name, Buffer.concat(chunks));
      next();
    });
  });
  await pipeline(Readable.from([archive]), zlib.createGunzip(), extract);
  return files;
}

/** The archive again, with the files given replaced (a forger's work). */
async function repack(files: Map<string, Buffer>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, bytes] of files) pack.entry({ name, size: bytes.length }, bytes);
  pack.finalize();
  const chunks: Buffer[] = [];
  const gzip = pack.pipe(zlib.createGzip());
  for await (const c of gzip) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const verify = (archive: Buffer) => verifyExecutionArchive(Readable.from([archive]));

for (const dialect of DIALECTS) {
  for (const backend of BACKENDS) {
    describe(`GET /v1/executions/:id/export [${dialect}, ${backend}]`, () => {
      let f: AttachmentFixture;
      let executionId: string;
      let evidence: AttachmentView;
      let archive: Buffer;
      const photo = Buffer.from('not really a photo of the rack, but bytes all the same\n'.repeat(2000));

      beforeAll(async () => {
        f = await createAttachmentFixture(dialect, backend);
        const record = await f.openRecord();
        executionId = record.executionId;
        const res = await f.upload(record, '../../rack <b>photo</b>.txt', photo);
        expect(res.statusCode, res.body).toBe(201);
        evidence = res.json<AttachmentView>();
      });
      afterAll(async () => {
        await f.dispose();
      });

      it('answers one gzipped tar of the record, logs, audit chain with the covering checkpoint, and evidence, to a reader', async () => {
        const res = await f.call('GET', `/v1/executions/${executionId}/export`, 'reader');
        expect(res.statusCode, res.body).toBe(200);
        expect(res.headers['content-type']).toBe('application/gzip');
        expect(res.headers['content-disposition']).toBe(`attachment; filename="runledger-execution-${executionId}.tar.gz"`);
        archive = res.rawPayload;
        const files = await unpack(archive);
        expect([...files.keys()].sort()).toEqual(
          [
            'attachments.json',
            `attachments/${evidence.id}`,
            'audit/checkpoint.json',
            'audit/events.json',
            'audit/verification.json',
            'execution.json',
            'logs.ndjson',
            'manifest.json',
            'step-audit.json',
          ].sort(),
        );
        // file names a person chose never become paths
        expect(files.get(`attachments/${evidence.id}`)).toEqual(photo);
        const manifest = JSON.parse(files.get('manifest.json')!.toString()) as ArchiveManifest;
        expect(manifest).toMatchObject({ format: 'runledger-execution-export', version: 1, executionId, exportedBy: 'rita' });
        expect(manifest.files.find((x) => x.path === `attachments/${evidence.id}`)).toEqual({
          path: `attachments/${evidence.id}`,
          sizeBytes: photo.length,
          sha256: sha256(photo),
        });
        expect(JSON.parse(files.get('execution.json')!.toString())).toMatchObject({ id: executionId, status: 'waiting' });
        expect(JSON.parse(files.get('attachments.json')!.toString())).toEqual([
          expect.objectContaining({
            id: evidence.id,
            fileName: evidence.fileName,
            sha256: sha256(photo),
            path: `attachments/${evidence.id}`,
          }),
        ]);
        expect(JSON.parse(files.get('audit/verification.json')!.toString())).toMatchObject({ ok: true });
        const lines = files.get('logs.ndjson')!.toString().trimEnd().split('\n');
        expect(lines.length).toBeGreaterThan(0);
        expect(JSON.parse(lines[0]!)).toMatchObject({ seq: 1 });
        const checkpoint = JSON.parse(files.get('audit/checkpoint.json')!.toString()) as { heads: unknown[][]; publicKey: string };
        expect(checkpoint.publicKey).toContain('BEGIN PUBLIC KEY');
        expect(checkpoint.heads.some(([t, id]) => t === 'execution' && id === executionId)).toBe(true);

        // verified offline
        const result = await verify(archive);
        expect(result).toMatchObject({ ok: true, executionId, problems: [], checked: { attachments: 1 } });
        expect(result.checked.events).toBeGreaterThanOrEqual(3);
      });

      it('is an audited read, refused like a missing execution to someone who may not read it', async () => {
        const denied = await f.call('GET', `/v1/executions/${executionId}/export`, 'other');
        expect(denied.statusCode).toBe(404);
        expect(denied.json()).toMatchObject({ code: 'EXECUTION_NOT_FOUND' });
        await f.h.app.deferredAudit.drain(); // the denial is written just after the answer
        const denials = await f.h.store.db
          .selectFrom('audit_events')
          .select(['execution_id'])
          .where('event_type', '=', 'ACCESS_DENIED')
          .where('execution_id', '=', executionId)
          .execute();
        expect(denials.length).toBeGreaterThanOrEqual(1);
        const reads = await f.h.store.db
          .selectFrom('audit_events')
          .select(['event_type', 'metadata'])
          .where('subject_type', '=', 'security')
          .execute();
        expect(reads.map((r) => r.event_type)).toContain('AUDIT_READ');
        expect(JSON.stringify(reads)).toContain('export');
      });

      it('shows offline what a forger changed: evidence bytes, an audit event, the manifest, the checkpoint', async () => {
        const files = await unpack(archive);
        const altered = new Map(files).set(`attachments/${evidence.id}`, Buffer.from('a different photo'));
        expect((await verify(await repack(altered))).problems).toEqual(
          expect.arrayContaining([
            `attachments/${evidence.id}: its sha256 differs from the manifest's`,
            expect.stringMatching(new RegExp(`^attachment ${evidence.id} .*: sha256 [0-9a-f]{64}, recorded ${sha256(photo)}$`)),
          ]),
        );

        // an audit event rewritten, and the manifest recomputed to match: the chain and the checkpoint still tell
        const events = JSON.parse(files.get('audit/events.json')!.toString()) as { actor: { username: string } }[];
        events[0]!.actor.username = 'mallory';
        const forgedEvents = Buffer.from(JSON.stringify(events));
        const manifest = JSON.parse(files.get('manifest.json')!.toString()) as ArchiveManifest;
        const entry = manifest.files.find((x) => x.path === 'audit/events.json')!;
        Object.assign(entry, { sizeBytes: forgedEvents.length, sha256: sha256(forgedEvents) });
        const forged = new Map(files).set('audit/events.json', forgedEvents).set('manifest.json', Buffer.from(JSON.stringify(manifest)));
        const result = await verify(await repack(forged));
        expect(result.ok).toBe(false);
        expect(result.problems.join('\n')).toMatch(/audit: event .* content does not match its hash/);

        // a checkpoint re-signed with another key is named by its key id
        const cp = JSON.parse(files.get('audit/checkpoint.json')!.toString()) as { signature: string };
        cp.signature = Buffer.alloc(64).toString('base64');
        const badSig = new Map(files).set('audit/checkpoint.json', Buffer.from(JSON.stringify(cp)));
        expect((await verify(await repack(badSig))).problems.join('\n')).toMatch(/the signature does not verify/);

        expect((await verify(Buffer.from('not an archive'))).problems[0]).toMatch(/^not a readable archive/);
      });
    });
  }
}
