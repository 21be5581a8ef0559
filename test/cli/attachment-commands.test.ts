import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttachmentView, ProcedureStarted } from '../../src/client/record-types.ts';
import { waitFor } from '../support/wait-for.ts';
import { S3RVER_CREDENTIALS, startS3Server, type TestS3Server } from '../support/s3-server.ts';
import { startCliHarness, type CliHarness, type CliRun } from './cli-harness.ts';

/**
 * Evidence commands against a server whose attachments live in S3 (a real S3-protocol server,
 * s3rver): downloads answer with a 302 to a pre-signed URL, which the CLI follows without our token.
 */
const PROCEDURE = `id: audit_disk
name: Audit a disk
tasks:
  - id: inspect
    type: manual
    with: { description: "Attach the df output." }
`;

let s3: TestS3Server;
/** The last test stops the storage. */
let stopped = false;
let harness: CliHarness;

function ok(result: CliRun): string {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

beforeAll(async () => {
  s3 = await startS3Server();
  harness = await startCliHarness('runledger-attachment-cli-', {
    serverEnv: {
      ATTACHMENT_STORAGE_TYPE: 's3',
      S3_BUCKET: s3.bucket,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      ATTACHMENT_MAX_BYTES: String(2 * 1024 * 1024),
    },
  });
  fs.writeFileSync(path.join(harness.tmp, 'audit.yaml'), PROCEDURE);
  ok(await harness.run(['workflow', 'apply', 'audit.yaml']));
});

afterAll(async () => {
  await harness?.close();
  if (!stopped) await s3?.close();
});

describe('attachment commands on S3 storage', () => {
  it('uploads, follows the redirect to the pre-signed URL on download, gives a link, checks and deletes', async () => {
    const { run } = harness;
    const { executionId: id } = JSON.parse(ok(await run(['procedure', 'start', 'audit_disk', '--json']))) as ProcedureStarted;
    const deadline = Date.now() + 20_000;
    while (!(await harness.client.getExecution(id)).taskRuns.some((r) => r.status === 'waiting')) {
      if (Date.now() > deadline) throw new Error('the step never waited');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const bytes = randomBytes(1_500_000);
    fs.mkdirSync(path.join(harness.tmp, 'in'));
    fs.writeFileSync(path.join(harness.tmp, 'in', 'df output.txt'), bytes);
    const attachment = JSON.parse(ok(await run(['step', 'attach', id, 'inspect', 'in/df output.txt', '--json']))) as AttachmentView;
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(attachment).toMatchObject({ fileName: 'df output.txt', sizeBytes: bytes.length, sha256: sha });

    // the API answers 302 to the storage host; the CLI follows it
    const first = await fetch(`${harness.server.url}/v1/attachments/${attachment.id}`, {
      headers: { authorization: `Bearer ${fs.readFileSync(path.join(harness.dataDir, 'local-token'), 'utf8').trim()}` },
      redirect: 'manual',
    });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toMatch(new RegExp(`^${s3.endpoint}/`));

    expect(ok(await run(['attachment', 'get', attachment.id]))).toBe(`saved df output.txt (1.4 MiB, sha256 ${sha})\n`);
    expect(fs.readFileSync(path.join(harness.tmp, 'df output.txt')).equals(bytes)).toBe(true);

    const link = JSON.parse(ok(await run(['attachment', 'url', attachment.id, '--json']))) as { url: string; expiresAt: string };
    expect(link.url.startsWith(`${s3.endpoint}/`)).toBe(true);
    expect(Date.parse(link.expiresAt)).toBeGreaterThan(Date.now());
    const plain = await run(['attachment', 'url', attachment.id], { tty: true });
    expect(plain.stdout).toMatch(new RegExp(`^${link.url.split('?')[0]}\\?\\S*X-Amz-Signature=[0-9a-f]+\\S*\\n$`));
    expect(plain.stderr).toMatch(/^expires \S+ \S+Z\n$/);

    // over ATTACHMENT_MAX_BYTES: refused with one line, also when the file is far larger than the
    // limit (the server reads and drops the rest, so the client reads the answer, not a reset)
    fs.writeFileSync(path.join(harness.tmp, 'in', 'big.bin'), Buffer.alloc(2_500_000));
    const tooLarge = await run(['step', 'attach', id, 'inspect', 'in/big.bin']);
    expect(tooLarge).toEqual({ code: 1, stdout: '', stderr: expect.stringMatching(/^runledger: .*\(ATTACHMENT_TOO_LARGE\)\n$/) });
    fs.writeFileSync(path.join(harness.tmp, 'in', 'huge.bin'), Buffer.alloc(40_000_000));
    const huge = await run(['step', 'attach', id, 'inspect', 'in/huge.bin']);
    expect(huge).toEqual({ code: 1, stdout: '', stderr: expect.stringMatching(/^runledger: .*\(ATTACHMENT_TOO_LARGE\)\n$/) });

    expect(ok(await run(['attachments', 'check']))).toBe('1 attachments checked: no problems\n');
    expect(ok(await run(['attachment', 'delete', attachment.id]))).toMatch(new RegExp(`^attachment ${attachment.id}: deleted at `));
    expect(ok(await run(['attachment', 'list', id]))).toBe(`No attachments; add one with "runledger step attach ${id} STEP FILE".\n`);
  });

  it('names the storage, not the server, when the storage is down', async () => {
    const { run } = harness;
    const { executionId: id } = JSON.parse(ok(await run(['procedure', 'start', 'audit_disk', '--json']))) as ProcedureStarted;
    await waitFor(
      async () => ((await harness.client.getExecution(id)).taskRuns.some((r) => r.status === 'waiting') ? true : undefined),
      'the step to wait',
    );
    fs.writeFileSync(path.join(harness.tmp, 'in', 'note.txt'), 'all green\n');
    const attachment = JSON.parse(ok(await run(['step', 'attach', id, 'inspect', 'in/note.txt', '--json']))) as AttachmentView;
    await s3.close();
    stopped = true;
    const result = await run(['attachment', 'get', attachment.id, '--output', path.join(harness.tmp, 'out.txt')]);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `runledger: Cannot reach the attachment storage at ${s3.endpoint} (ECONNREFUSED), where the Runledger server sent this download; the storage (S3_ENDPOINT on the server) is down or unreachable from here (STORAGE_UNREACHABLE)\n`,
    });
  });
});
