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
import { getChainHead, listAuditChain, type StoredAuditEvent } from '../store/audit-event-repository.ts';
import { listAttachmentsByExecution } from '../store/attachment-repository.ts';
import { listAuditKeys, type AuditKeyRegistration } from '../store/audit-key-repository.ts';
import { getStoredExecution } from '../store/execution-repository.ts';
import { listStepResultRows } from '../store/step-result-audit-repository.ts';
import { listTaskRunsByExecution, listTransitionsByExecution } from '../store/task-run-repository.ts';
import type { Database } from '../store/database-schema.ts';
import { canonicalJson } from './audit-chain.ts';
import type { AuditSigner } from './audit-signer.ts';
import { registrationDigest } from './audit-authentication.ts';
import { verifyChain, verifyLifecycle } from './audit-verify.ts';
import { checkRecordFacts, type RecordRows } from './record-facts.ts';

/** What a checkpoint's hash covers, CloudTrail-digest style: every chain's head and the previous checkpoint. */
function checkpointHash(c: Pick<AuditCheckpoint, 'id' | 'seq' | 'createdAt' | 'reason' | 'heads' | 'prevHash'>): string {
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

/** Each head recorded at checkpoint time must still be in the store with the same hash (chains purged by retention excepted). */
function checkHeadsPresent(
  chains: ReadonlyMap<string, readonly StoredAuditEvent[]>,
  purged: ReadonlySet<string>,
  heads: readonly ChainHead[],
  label: string,
): string[] {
  const problems: string[] = [];
  for (const [subjectType, subjectId, seq, hash] of heads) {
    const key = chainKey(subjectType, subjectId);
    if (purged.has(key)) continue;
    const chain = chains.get(key) ?? [];
    const at = chain.find((e) => e.seq === seq);
    if (!at) problems.push(`${label}: ${subjectType} ${subjectId} had ${seq} events, the store has ${chain.length} (a deleted tail)`);
    else if (at.hash !== hash)
      problems.push(`${label}: ${subjectType} ${subjectId} event ${seq} differs from the checkpoint (the chain was rewritten)`);
  }
  return problems;
}

const chainKey = (subjectType: string, subjectId: string): string => `${subjectType}\u0000${subjectId}`;

/**
 * Each event carries the deployment key's MAC of its hash; only the events that existed when the key
 * was registered (its signed list of heads) may go without. A forged event, even one with a correct
 * hash at a chain's tail, has no valid MAC without the key.
 */
function checkAuthentication(chain: readonly StoredAuditEvent[], signer: AuditSigner, legacyUpTo: number, label: string): string | null {
  for (const e of chain) {
    if (e.mac === null) {
      if (e.seq <= legacyUpTo) continue;
      return `${label}: event ${e.id} (seq ${e.seq}) carries no authentication: it was written without the deployment's audit key (forged)`;
    }
    if (e.keyId !== signer.keyId)
      return `${label}: event ${e.id} (seq ${e.seq}) is authenticated by key ${e.keyId}, not the deployment's key ${signer.keyId}`;
    if (!signer.isAuthentic(e.hash, e.mac))
      return `${label}: event ${e.id} (seq ${e.seq}): its authentication does not verify (forged or rewritten)`;
  }
  return null;
}

/** The registration of the deployment's key must be signed by the key this server holds. */
function checkRegistration(registrations: readonly AuditKeyRegistration[], signer: AuditSigner, anyEvents: boolean): string[] {
  const registered = registrations.at(-1);
  if (!registered) return anyEvents ? ['audit key: no key is registered for this store, though it holds audit events'] : [];
  if (registered.keyId !== signer.keyId || !signer.verifyText(registrationDigest(registered), registered.signature))
    return [`audit key: the registration of key ${registered.keyId} does not verify with this server's key ${signer.keyId}`];
  return [];
}

/** Loads an execution's rows for the facts check. */
async function recordRowsOf(db: Kysely<Database>, executionId: string): Promise<RecordRows | undefined> {
  const execution = await getStoredExecution(db, executionId);
  if (!execution) return undefined;
  const [runs, transitions, stepResults, attachments] = await Promise.all([
    listTaskRunsByExecution(db, executionId),
    listTransitionsByExecution(db, executionId),
    listStepResultRows(db, executionId),
    listAttachmentsByExecution(db, executionId),
  ]);
  return { execution, runs, transitions, stepResults, attachments };
}

/**
 * Verifies everything: every chain's links, hashes and authentication (the deployment key's MAC on
 * each event); every execution's lifecycle and its record's facts against its chain (statuses, who,
 * inputs, outputs, transitions, step results, evidence hashes); the chain of checkpoints, and every
 * checkpoint's signature and heads (or those of an exported checkpoint), which detects a deleted tail
 * or a chain recomputed from scratch whenever it happened.
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
  const registrations = await listAuditKeys(db);
  problems.push(...checkRegistration(registrations, signer, subjects.length > 0));
  const legacy = new Map((registrations[0]?.heads ?? []).map(([type, id, seq]) => [chainKey(type, id), seq]));
  const chains = new Map<string, StoredAuditEvent[]>();
  let events = 0;
  for (const s of subjects) {
    const label = `${s.type} ${s.id}`;
    const chain = await listAuditChain(db, s.type, s.id);
    chains.set(chainKey(s.type, s.id), chain);
    events += chain.length;
    for (const p of verifyChain(chain).problems) problems.push(`${label}: ${p}`);
    const forged = checkAuthentication(chain, signer, legacy.get(chainKey(s.type, s.id)) ?? 0, label);
    if (forged) problems.push(forged);
    const head = await getChainHead(db, s.type, s.id);
    const last = chain.at(-1);
    if (!head || head.seq !== last?.seq || head.hash !== last.hash) {
      problems.push(
        `${label}: the chain ends at seq ${last?.seq ?? 0} but its recorded head is seq ${head?.seq ?? 'none'} (an event was added or removed outside the writer)`,
      );
    }
  }
  // Every execution's lifecycle is complete (created, and ended exactly once if it has ended), and
  // its record says what its chain says. An execution whose chain retention purged has none to check.
  let executions = db.selectFrom('executions').select(['id', 'status', 'audit_purged_at']);
  if (options.subject) executions = executions.where('id', '=', options.subject.id);
  const purged = new Set<string>();
  for (const e of await executions.execute()) {
    if (e.audit_purged_at !== null) {
      purged.add(chainKey('execution', e.id));
      continue;
    }
    const chain = chains.get(chainKey('execution', e.id)) ?? (await listAuditChain(db, 'execution', e.id));
    for (const p of verifyLifecycle(chain, e.status)) problems.push(`execution ${e.id}: ${p}`);
    const rows = await recordRowsOf(db, e.id);
    if (rows) for (const p of checkRecordFacts(rows, chain)) problems.push(`execution ${e.id}: ${p}`);
  }
  const checkpoints = await listCheckpoints(db);
  let prevHash: string | null = null;
  for (const c of checkpoints) {
    if (c.prevHash !== prevHash) problems.push(`checkpoint ${c.seq}: does not follow checkpoint ${c.seq - 1}`);
    prevHash = c.hash;
  }
  const relevant = (c: AuditCheckpoint): ChainHead[] =>
    options.subject ? c.heads.filter(([t, i]) => t === options.subject!.type && i === options.subject!.id) : c.heads;
  // Every checkpoint, not only the newest: a later checkpoint of a rewritten chain does not launder it.
  const toCheck: [AuditCheckpoint, string][] = checkpoints.map((c) => [c, `checkpoint ${c.seq}`]);
  if (options.exported) toCheck.push([options.exported, `exported checkpoint ${options.exported.seq}`]);
  for (const [c, label] of toCheck)
    problems.push(...checkIntegrity(signer, c, label), ...checkHeadsPresent(chains, purged, relevant(c), label));
  return { ok: problems.length === 0, chains: subjects.length, events, checkpoints: checkpoints.length, problems };
}
