import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import type { AuditCheckpoint } from '../domain/audit.ts';
import type { StoredAuditEvent } from '../store/audit-event-repository.ts';
import { checkpointHash } from './audit-checkpoints.ts';
import { verifyChain, verifyLifecycle } from './audit-verify.ts';

/**
 * The export of one execution: a gzipped tar whose paths are fixed names and ids (never a name a
 * person chose), so extracting it cannot write outside its folder.
 *
 *   manifest.json          format, what was exported when by whom, and every other file with its sha256
 *   execution.json         the record: status, inputs (masked), every task run with notes and results
 *   logs.ndjson            every log line, one JSON object a line
 *   step-audit.json        every recorded step result
 *   audit/events.json      the execution's audit chain
 *   audit/verification.json  the server's verification of that chain at export time
 *   audit/checkpoint.json  the signed checkpoint that covers the chain's last event, with the public key
 *   attachments.json       the evidence files as recorded (name, type, size, sha256, step, uploader)
 *   attachments/<id>       the bytes of each evidence file
 */
export const ARCHIVE_FORMAT = 'runledger-execution-export';
export const ARCHIVE_VERSION = 1;

export interface ArchiveManifest {
  format: typeof ARCHIVE_FORMAT;
  version: number;
  executionId: string;
  exportedAt: string;
  exportedBy: string | null;
  files: { path: string; sizeBytes: number; sha256: string }[];
}

/** The checkpoint as exported: what the server signed, and the key to check the signature with. */
export type ExportedCheckpoint = AuditCheckpoint & { publicKey: string };

export interface ArchivedAttachment {
  id: string;
  taskRunId: string;
  fileName: string;
  sizeBytes: number;
  mediaType: string;
  sha256: string;
  uploadedBy: string;
  createdAt: string;
  path: string;
}

export interface ArchiveVerification {
  ok: boolean;
  executionId: string | null;
  /** The id of the key that signed the checkpoint (compare it with the server's). */
  keyId: string | null;
  checked: { files: number; attachments: number; events: number };
  problems: string[];
}

/** Files whose content the verification reads (small JSON); every other file is only hashed. */
const READ = new Set(['manifest.json', 'execution.json', 'audit/events.json', 'audit/checkpoint.json', 'attachments.json']);
const MAX_JSON_BYTES = 64 * 1024 * 1024;

interface Entry {
  sha256: string;
  sizeBytes: number;
  json?: unknown;
}

/** Reads an archive, hashing every file as it streams by and parsing the few JSON files checked. */
async function readArchive(body: Readable): Promise<Map<string, Entry>> {
  const entries = new Map<string, Entry>();
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const hash = crypto.createHash('sha256');
    const chunks: Buffer[] = [];
    let size = 0;
    const keep = READ.has(header.name);
    stream.on('data', (data) => {
      const chunk = data as Buffer;
      hash.update(chunk);
      size += chunk.length;
      if (keep && size <= MAX_JSON_BYTES) chunks.push(chunk);
    });
    stream.on('end', () => {
      const entry: Entry = { sha256: hash.digest('hex'), sizeBytes: size };
      if (keep) {
        try {
          entry.json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          entry.json = undefined;
        }
      }
      if (header.type === 'file') entries.set(header.name, entry);
      next();
    });
    stream.resume();
  });
  await pipeline(body, zlib.createGunzip(), extract);
  return entries;
}

function keyIdOf(publicKeyPem: string): string {
  const spki = crypto.createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return crypto.createHash('sha256').update(spki).digest('hex').slice(0, 16);
}

/**
 * Verifies an exported execution offline: every file matches the manifest's sha256, every evidence
 * file matches the sha256 recorded at upload (and in its ATTACHMENT_ADDED audit event), the audit
 * chain links and hashes hold, the lifecycle is complete, and the checkpoint covering the chain's
 * last event carries a valid signature of the included public key.
 */
export async function verifyExecutionArchive(body: Readable): Promise<ArchiveVerification> {
  const problems: string[] = [];
  const result = (executionId: string | null, keyId: string | null, events = 0, attachments = 0): ArchiveVerification => ({
    ok: problems.length === 0,
    executionId,
    keyId,
    checked: { files: entries.size, attachments, events },
    problems,
  });
  let entries = new Map<string, Entry>();
  try {
    entries = await readArchive(body);
  } catch (e: unknown) {
    problems.push(`not a readable archive (${e instanceof Error ? e.message : String(e)})`);
    return result(null, null);
  }
  const manifest = entries.get('manifest.json')?.json as ArchiveManifest | undefined;
  if (manifest?.format !== ARCHIVE_FORMAT) {
    problems.push('manifest.json: missing, or not a Runledger execution export');
    return result(null, null);
  }
  // every file is the one the manifest lists, byte for byte
  const listed = new Set<string>();
  for (const f of manifest.files) {
    listed.add(f.path);
    const entry = entries.get(f.path);
    if (!entry) problems.push(`${f.path}: listed in the manifest but missing from the archive`);
    else if (entry.sha256 !== f.sha256 || entry.sizeBytes !== f.sizeBytes)
      problems.push(`${f.path}: its sha256 differs from the manifest's`);
  }
  for (const name of entries.keys())
    if (name !== 'manifest.json' && !listed.has(name)) problems.push(`${name}: in the archive but not in the manifest`);

  const execution = entries.get('execution.json')?.json as { id?: string; status?: string } | undefined;
  const events = (entries.get('audit/events.json')?.json ?? []) as StoredAuditEvent[];
  const checkpoint = entries.get('audit/checkpoint.json')?.json as ExportedCheckpoint | undefined;
  const attachments = (entries.get('attachments.json')?.json ?? []) as ArchivedAttachment[];
  if (execution?.id !== manifest.executionId) problems.push('execution.json: missing, or of another execution than the manifest names');

  // the audit chain and the record's lifecycle
  const chain = verifyChain(events);
  for (const p of chain.problems) problems.push(`audit: ${p}`);
  for (const p of verifyLifecycle(events, execution?.status ?? '')) problems.push(`audit: ${p}`);

  // evidence: the bytes, the row and the audit event agree
  const added = new Map<string, string>();
  for (const e of events) {
    const m = e.metadata as { attachmentId?: unknown; sha256?: unknown } | null;
    if (e.eventType === 'ATTACHMENT_ADDED' && typeof m?.attachmentId === 'string' && typeof m.sha256 === 'string')
      added.set(m.attachmentId, m.sha256);
  }
  for (const a of attachments) {
    const entry = entries.get(a.path);
    if (!entry) problems.push(`attachment ${a.id} (${a.fileName}): its file is missing`);
    else if (entry.sha256 !== a.sha256) problems.push(`attachment ${a.id} (${a.fileName}): sha256 ${entry.sha256}, recorded ${a.sha256}`);
    if (added.get(a.id) !== a.sha256)
      problems.push(`attachment ${a.id} (${a.fileName}): its sha256 is not the one its audit event recorded`);
  }

  // the signed checkpoint covers the chain as exported
  let keyId: string | null = null;
  if (!checkpoint) problems.push('audit/checkpoint.json: missing');
  else {
    try {
      keyId = keyIdOf(checkpoint.publicKey);
      if (checkpointHash(checkpoint) !== checkpoint.hash)
        problems.push(`checkpoint ${checkpoint.seq}: its content does not match its hash`);
      const signed = crypto.verify(
        null,
        Buffer.from(checkpoint.hash, 'hex'),
        crypto.createPublicKey(checkpoint.publicKey),
        Buffer.from(checkpoint.signature, 'base64'),
      );
      if (!signed || checkpoint.keyId !== keyId)
        problems.push(`checkpoint ${checkpoint.seq}: the signature does not verify with the included key`);
    } catch (e: unknown) {
      problems.push(`checkpoint: unreadable (${e instanceof Error ? e.message : String(e)})`);
    }
    const head = checkpoint.heads.find(([type, id]) => type === 'execution' && id === manifest.executionId);
    const last = events.at(-1);
    if (!head) problems.push(`checkpoint ${checkpoint.seq}: does not cover execution ${manifest.executionId}`);
    else if (!last || head[2] !== last.seq || head[3] !== last.hash)
      problems.push(`checkpoint ${checkpoint.seq}: its head of the chain (seq ${head[2]}) is not the chain's last event as exported`);
  }
  return result(manifest.executionId, keyId, events.length, attachments.length);
}
