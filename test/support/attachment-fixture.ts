import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import type { AttachmentSettings } from '../../src/records/attachment-settings.ts';
import type { BlobStorage } from '../../src/records/blob-storage.ts';
import { LocalBlobStorage } from '../../src/records/local-blob-storage.ts';
import { S3BlobStorage } from '../../src/records/s3-blob-storage.ts';
import { createHarness, type ExecutionView, type Harness } from './harness.ts';
import { fileForm } from './multipart.ts';
import { S3RVER_CREDENTIALS, startS3Server, type TestS3Server } from './s3-server.ts';
import { tempDir, type DialectName } from './stores.ts';

export type Backend = 'local' | 's3';
export const BACKENDS: Backend[] = ['local', 's3'];

export const MiB = 1024 * 1024;

/** A workflow whose only step waits for a person: its executions stay open for evidence. */
export const EVIDENCE_WORKFLOW = {
  id: 'evidence',
  name: 'Evidence',
  tasks: [{ id: 'check', type: 'manual', with: { description: 'Attach a screenshot of the dashboard' } }],
};

export type { AttachmentView } from '../../src/client/record-types.ts';

export interface OpenRecord {
  executionId: string;
  /** The waiting manual step. */
  taskRunId: string;
}

export type Person = 'owner' | 'reader' | 'other';

export interface AttachmentFixture {
  h: Harness;
  backend: Backend;
  storage: BlobStorage;
  /** The local backend's root directory. */
  storageDir: string | undefined;
  s3: TestS3Server | undefined;
  /** owner: triggers the records; reader: each record is shared with them; other: may not read them. */
  tokens: Record<Person, string>;
  userIds: Record<Person, string>;
  /** A new execution of the evidence workflow by `person`, waiting at its manual step, shared with the reader. */
  openRecord(person?: Person): Promise<OpenRecord>;
  upload(record: OpenRecord, fileName: string, content: Buffer | string, person?: Person): Promise<LightMyRequestResponse>;
  /** GET (or another method) with a person's token; `token: null` sends none. */
  call(method: 'GET' | 'DELETE' | 'POST', url: string, person?: Person | null): Promise<LightMyRequestResponse>;
  /** Every key in storage. */
  storedKeys(): Promise<string[]>;
  dispose(): Promise<void>;
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A harness whose evidence goes to a fresh local directory or a fresh s3rver bucket, with three members. */
export async function createAttachmentFixture(
  dialect: DialectName,
  backend: Backend,
  settings: Partial<AttachmentSettings> = {},
  /** Instead of a fresh directory or bucket (e.g. one that fails). */
  givenStorage?: BlobStorage,
): Promise<AttachmentFixture> {
  const s3 = backend === 's3' && !givenStorage ? await startS3Server() : undefined;
  // The directory inside one of its own, so a test can tell that nothing was written beside it.
  const storageDir = backend === 'local' && !givenStorage ? path.join(tempDir('runledger-evidence-'), 'store') : undefined;
  const storage: BlobStorage =
    givenStorage ??
    (s3
      ? new S3BlobStorage({ bucket: s3.bucket, endpoint: s3.endpoint, region: 'us-east-1', ...S3RVER_CREDENTIALS })
      : new LocalBlobStorage(storageDir!));
  const h = await createHarness(dialect, { storage, attachmentSettings: settings });
  await h.apply(EVIDENCE_WORKFLOW);
  const names: Record<Person, string> = { owner: 'olivia', reader: 'rita', other: 'oscar' };
  const tokens = {} as Record<Person, string>;
  const userIds = {} as Record<Person, string>;
  for (const [person, username] of Object.entries(names) as [Person, string][]) {
    const created = await h.api<{ id: string }>('POST', '/v1/admin/users', { username, password: `${username}-password` });
    if (created.status !== 201) throw new Error(`creating ${username}: ${JSON.stringify(created.body)}`);
    userIds[person] = created.body.id;
    tokens[person] = (await h.auth.login(username, `${username}-password`)).token;
  }

  const call: AttachmentFixture['call'] = (method, url, person = 'owner') =>
    h.app.inject({ method, url, headers: person === null ? {} : { authorization: `Bearer ${tokens[person]}` } });

  return {
    h,
    backend,
    storage,
    storageDir,
    s3,
    tokens,
    userIds,
    async openRecord(person = 'owner') {
      const run = await h.api<{ executionId: string }>('POST', `/v1/workflows/${EVIDENCE_WORKFLOW.id}/run`, {}, tokens[person]);
      if (run.status !== 202) throw new Error(`run failed: ${JSON.stringify(run.body)}`);
      const { executionId } = run.body;
      for (let i = 0; i < 250; i++) {
        const view = (await h.api<ExecutionView>('GET', `/v1/executions/${executionId}`)).body;
        const step = view.taskRuns.find((r) => r.taskId === 'check');
        if (step?.status === 'waiting') {
          const shared = await h.api('PUT', `/v1/executions/${executionId}/shares`, { scope: 'shared', users: [names.reader] });
          if (shared.status !== 200) throw new Error(`share failed: ${JSON.stringify(shared.body)}`);
          return { executionId, taskRunId: step.id };
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`execution ${executionId} never waited at its manual step`);
    },
    upload(record, fileName, content, person = 'owner') {
      const form = fileForm(fileName, content);
      return h.app.inject({
        method: 'POST',
        url: `/v1/executions/${record.executionId}/steps/${record.taskRunId}/attachments`,
        headers: { authorization: `Bearer ${tokens[person]}`, ...form.headers },
        payload: form.payload,
      });
    },
    call,
    async storedKeys() {
      const keys: string[] = [];
      for await (const key of storage.list('')) keys.push(key);
      return keys.sort();
    },
    async dispose() {
      await h.dispose();
      await s3?.close();
      if (storageDir) fs.rmSync(path.dirname(storageDir), { recursive: true, force: true });
    },
  };
}

/** Every regular file under `dir`, as paths relative to it (`/`-separated). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string) => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(path.relative(dir, full).split(path.sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}
