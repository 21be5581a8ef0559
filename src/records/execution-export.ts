import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { Kysely } from 'kysely';
import tar from 'tar-stream';
import type { AuditCheckpoint } from '../domain/audit.ts';
import type { Actor, Execution } from '../domain/records.ts';
import { nowIso } from '../domain/time.ts';
import { writeCheckpoint } from '../observe/audit-checkpoints.ts';
import type { AuditSigner } from '../observe/audit-signer.ts';
import { verifyChain, verifyLifecycle } from '../observe/audit-verify.ts';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  type ArchiveManifest,
  type ArchivedAttachment,
  type ExportedCheckpoint,
} from '../observe/execution-archive.ts';
import { recordAuditRead } from '../observe/security-events.ts';
import { listCheckpoints } from '../store/audit-checkpoint-repository.ts';
import { listAuditChain, type StoredAuditEvent } from '../store/audit-event-repository.ts';
import type { Database } from '../store/database-schema.ts';
import { queryLogLines } from '../store/execution-log-repository.ts';
import { listStepResultAudit } from '../store/step-result-audit-repository.ts';
import type { AttachmentService } from './attachment-service.ts';

const LOG_PAGE = 1000;

export interface ExportDeps {
  db: Kysely<Database>;
  signer: AuditSigner;
  attachments: AttachmentService;
}

/**
 * The newest checkpoint whose head of this execution's chain is its last event, written now when
 * there is none, so the export carries a signature over everything it contains.
 */
async function coveringCheckpoint(deps: ExportDeps, executionId: string, events: readonly StoredAuditEvent[]): Promise<AuditCheckpoint> {
  const last = events.at(-1);
  const covers = (c: AuditCheckpoint) =>
    c.heads.some(([t, id, seq, hash]) => t === 'execution' && id === executionId && seq === last?.seq && hash === last.hash);
  const found = (await listCheckpoints(deps.db)).reverse().find(covers);
  return found ?? writeCheckpoint(deps.db, deps.signer, `export of execution ${executionId}`);
}

/** Every log line as NDJSON in a temporary file (a tar entry needs its size first), never held whole. */
async function logsToFile(db: Kysely<Database>, executionId: string, file: string): Promise<void> {
  async function* lines(): AsyncGenerator<string> {
    let afterSeq = 0;
    for (;;) {
      const page = await queryLogLines(db, { executionId, afterSeq, limit: LOG_PAGE });
      if (page.length > 0) yield page.map((l) => `${JSON.stringify(l)}\n`).join('');
      if (page.length < LOG_PAGE) return;
      afterSeq = page.at(-1)!.seq;
    }
  }
  await pipeline(Readable.from(lines()), fs.createWriteStream(file, { mode: 0o600 }));
}

/**
 * One execution as one archive (see observe/execution-archive.ts for its layout): the record, its
 * logs, its audit chain with the server's verification and the signed checkpoint covering it, and
 * its evidence files. Streamed: evidence goes from storage into the archive, logs through a
 * temporary file, so memory stays bounded whatever the sizes. The export is an audited read.
 */
export async function exportExecution(
  deps: ExportDeps,
  execution: Execution,
  record: unknown,
  actor: Actor,
): Promise<{ fileName: string; body: Readable }> {
  const { db } = deps;
  await recordAuditRead(db, actor, { executionId: execution.id, what: 'export' });
  const firstEvents = await listAuditChain(db, 'execution', execution.id);
  const checkpoint = await coveringCheckpoint(deps, execution.id, firstEvents);
  const head = checkpoint.heads.find(([t, id]) => t === 'execution' && id === execution.id);
  // events appended after the checkpoint (the record is still open) wait for the next export
  const events = (await listAuditChain(db, 'execution', execution.id)).filter((e) => !head || e.seq <= head[2]);
  const chain = verifyChain(events);
  const verification = {
    ok: chain.ok,
    checked: chain.checked,
    problems: [...chain.problems, ...verifyLifecycle(events, execution.status)],
  };
  verification.ok = verification.problems.length === 0;
  const exported: ExportedCheckpoint = { ...checkpoint, publicKey: deps.signer.publicKeyPem() };
  const stored = await deps.attachments.list(execution.id);
  const attachments: ArchivedAttachment[] = stored.map((a) => ({
    id: a.id,
    taskRunId: a.taskRunId,
    fileName: a.fileName,
    sizeBytes: a.sizeBytes,
    mediaType: a.mediaType,
    sha256: a.sha256,
    uploadedBy: a.uploadedBy,
    createdAt: a.createdAt,
    path: `attachments/${a.id}`,
  }));
  const stepAudit = await listStepResultAudit(db, execution.id);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runledger-export-'));
  const logFile = path.join(tmp, 'logs.ndjson');
  try {
    await logsToFile(db, execution.id, logFile);
  } catch (e: unknown) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }

  const pack = tar.pack();
  const files: ArchiveManifest['files'] = [];
  const mtime = new Date();
  const addJson = (name: string, value: unknown) => {
    const bytes = Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
    files.push({ path: name, sizeBytes: bytes.length, sha256: crypto.createHash('sha256').update(bytes).digest('hex') });
    pack.entry({ name, size: bytes.length, mtime, mode: 0o644 }, bytes);
  };
  const addStream = async (name: string, size: number, body: Readable) => {
    const hash = crypto.createHash('sha256');
    const entry = pack.entry({ name, size, mtime, mode: 0o644 });
    const tap = new PassThrough();
    tap.on('data', (chunk: Buffer) => hash.update(chunk));
    await pipeline(body, tap, entry);
    files.push({ path: name, sizeBytes: size, sha256: hash.digest('hex') });
  };

  const fill = async () => {
    addJson('execution.json', record);
    await addStream('logs.ndjson', fs.statSync(logFile).size, fs.createReadStream(logFile));
    addJson('step-audit.json', stepAudit);
    addJson('audit/events.json', events);
    addJson('audit/verification.json', verification);
    addJson('audit/checkpoint.json', exported);
    addJson('attachments.json', attachments);
    for (const [i, a] of stored.entries()) await addStream(attachments[i]!.path, a.sizeBytes, await deps.attachments.open(a));
    const manifest: ArchiveManifest = {
      format: ARCHIVE_FORMAT,
      version: ARCHIVE_VERSION,
      executionId: execution.id,
      exportedAt: nowIso(),
      exportedBy: actor.username ?? actor.userId,
      files,
    };
    const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    pack.entry({ name: 'manifest.json', size: bytes.length, mtime, mode: 0o644 }, bytes);
    pack.finalize();
  };
  const gzip = zlib.createGzip();
  pack.pipe(gzip);
  fill()
    .catch((e: unknown) => pack.destroy(e instanceof Error ? e : new Error(String(e))))
    .finally(() => fs.rmSync(tmp, { recursive: true, force: true }));
  pack.on('error', (e) => gzip.destroy(e));
  // the reader went away: stop reading storage
  gzip.on('close', () => {
    if (!gzip.readableEnded) pack.destroy();
  });
  return { fileName: `runledger-execution-${execution.id}.tar.gz`, body: gzip };
}
