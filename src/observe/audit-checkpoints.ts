import type { AuditVerification } from '../domain/audit.ts';
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { newId } from '../domain/ids.ts';
import { nowIso } from '../domain/time.ts';
import {
  insertCheckpoint,
  latestCheckpoint,
  listChainHeads,
  listCheckpoints,
  type AuditCheckpoint,
  type ChainHead,
} from '../store/audit-checkpoint-repository.ts';
import { getChainHead, listAuditChain } from '../store/audit-event-repository.ts';
import type { Database } from '../store/database-schema.ts';
import { canonicalJson } from './audit-chain.ts';
import type { AuditSigner } from './audit-signer.ts';
import { verifyChain, verifyLifecycle } from './audit-verify.ts';

/** What a checkpoint's hash covers, CloudTrail-digest style: every chain's head and the previous checkpoint. */
export function checkpointHash(c: Pick<AuditCheckpoint, 'id' | 'seq' | 'createdAt' | 'reason' | 'heads' | 'prevHash'>): string {
  return crypto
    .createHash('sha256')
    .update(canonicalJson({ id: c.id, seq: c.seq, createdAt: c.createdAt, reason: c.reason, heads: c.heads, prevHash: c.prevHash }))
    .digest('hex');
}

/** Writes a signed checkpoint of every chain's current head. */
export async function writeCheckpoint(db: Kysely<Database>, signer: AuditSigner, reason: string): Promise<AuditCheckpoint> {
  return db.transaction().execute(async (trx) => {
    const prev = await latestCheckpoint(trx);
    const base = {
      id: newId(),
      seq: (prev?.seq ?? 0) + 1,
      createdAt: nowIso(),
      reason,
      heads: await listChainHeads(trx),
      prevHash: prev?.hash ?? null,
    };
    const hash = checkpointHash(base);
    const checkpoint: AuditCheckpoint = { ...base, hash, keyId: signer.keyId, signature: signer.sign(hash) };
    await insertCheckpoint(trx, checkpoint);
    return checkpoint;
  });
}

export type { AuditVerification };

/** A checkpoint's own integrity: its content matches its hash, and the hash carries our signature. */
function checkIntegrity(signer: AuditSigner, c: AuditCheckpoint, label: string): string[] {
  const problems: string[] = [];
  if (checkpointHash(c) !== c.hash) problems.push(`${label}: its content does not match its hash`);
  if (c.keyId !== signer.keyId || !signer.verify(c.hash, c.signature))
    problems.push(`${label}: the signature does not verify with this server's audit key`);
  return problems;
}

/** Each head recorded at checkpoint time must still be in the store with the same hash. */
async function checkHeadsPresent(db: Kysely<Database>, heads: readonly ChainHead[], label: string): Promise<string[]> {
  const problems: string[] = [];
  for (const [subjectType, subjectId, seq, hash] of heads) {
    const chain = await listAuditChain(db, subjectType, subjectId);
    const at = chain.find((e) => e.seq === seq);
    if (!at) problems.push(`${label}: ${subjectType} ${subjectId} had ${seq} events, the store has ${chain.length} (a deleted tail)`);
    else if (at.hash !== hash)
      problems.push(`${label}: ${subjectType} ${subjectId} event ${seq} differs from the checkpoint (the chain was rewritten)`);
  }
  return problems;
}

/**
 * Verifies everything: every chain's links and hashes, the chain of checkpoints and their
 * signatures, and that the latest checkpoint's heads (or those of an exported checkpoint) are still
 * in the store unchanged, which detects a deleted tail or a chain recomputed from scratch.
 */
export async function verifyAudit(
  db: Kysely<Database>,
  signer: AuditSigner,
  options: { subject?: { type: string; id: string }; exported?: AuditCheckpoint } = {},
): Promise<AuditVerification> {
  const problems: string[] = [];
  const subjects = options.subject
    ? [{ type: options.subject.type, id: options.subject.id }]
    : (await db.selectFrom('audit_events').select(['subject_type', 'subject_id']).distinct().execute()).map((r) => ({
        type: r.subject_type,
        id: r.subject_id,
      }));
  let events = 0;
  for (const s of subjects) {
    const chain = await listAuditChain(db, s.type, s.id);
    events += chain.length;
    for (const p of verifyChain(chain).problems) problems.push(`${s.type} ${s.id}: ${p}`);
    const head = await getChainHead(db, s.type, s.id);
    const last = chain.at(-1);
    if (!head || head.seq !== last?.seq || head.hash !== last.hash) {
      problems.push(
        `${s.type} ${s.id}: the chain ends at seq ${last?.seq ?? 0} but its recorded head is seq ${head?.seq ?? 'none'} (an event was added or removed outside the writer)`,
      );
    }
  }
  // Every execution's lifecycle is complete: created, and ended exactly once if it has ended.
  // (an execution whose chain retention purged has none to check)
  let executions = db.selectFrom('executions').select(['id', 'status']).where('audit_purged_at', 'is', null);
  if (options.subject) executions = executions.where('id', '=', options.subject.id);
  for (const e of await executions.execute()) {
    const chain = await listAuditChain(db, 'execution', e.id);
    for (const p of verifyLifecycle(chain, e.status)) problems.push(`execution ${e.id}: ${p}`);
  }
  const checkpoints = await listCheckpoints(db);
  let prevHash: string | null = null;
  for (const c of checkpoints) {
    if (c.prevHash !== prevHash) problems.push(`checkpoint ${c.seq}: does not follow checkpoint ${c.seq - 1}`);
    prevHash = c.hash;
  }
  const relevant = (c: AuditCheckpoint): ChainHead[] =>
    options.subject ? c.heads.filter(([t, i]) => t === options.subject!.type && i === options.subject!.id) : c.heads;
  const latest = checkpoints.at(-1);
  for (const [c, label] of [
    [latest, `checkpoint ${latest?.seq}`],
    [options.exported, `exported checkpoint ${options.exported?.seq}`],
  ] as const) {
    if (!c) continue;
    problems.push(...checkIntegrity(signer, c, label), ...(await checkHeadsPresent(db, relevant(c), label)));
  }
  return { ok: problems.length === 0, chains: subjects.length, events, checkpoints: checkpoints.length, problems };
}
