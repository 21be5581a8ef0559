import type { Transaction } from 'kysely';
import { newId } from '../domain/ids.ts';
import type { Actor } from '../domain/records.ts';
import { nowIso } from '../domain/time.ts';
import { appendAuditEvent, claimNextSeq, type StoredAuditEvent } from '../store/audit-event-repository.ts';
import { heldAppends } from '../store/held-appends.ts';
import type { Database } from '../store/database-schema.ts';
import { auditHash } from './audit-chain.ts';
import { auditKeyOf } from './audit-authentication.ts';

export interface AuditEventInput {
  subjectType: 'execution' | 'workflow' | 'user' | 'group' | 'login' | 'security' | 'system';
  subjectId: string;
  eventType: string;
  actor: Actor | null;
  executionId?: string | null;
  /** Already masked by the caller where it could hold secrets. */
  metadata?: Record<string, unknown>;
}

/**
 * Audit events this process has appended, for `/metrics`. Counted as each is written in its
 * transaction: one that then rolls back (rare: a store failure) is counted all the same.
 */
export const auditAppendStats = { appended: 0 };

/** The server itself, as the actor of what it does on a schedule (retention, purges) or at start-up. */
export const SYSTEM_ACTOR: Actor = Object.freeze({ kind: 'system', userId: null, username: null, role: null });

export function workerActor(workerId: string): Actor {
  return { kind: 'worker', userId: null, username: null, role: null, workerId };
}

/** The actor as an audit row names it: who, and through which credential. */
export function auditActor(actor: Actor | null): Record<string, unknown> {
  if (!actor) return { kind: 'anonymous' };
  return {
    kind: actor.kind,
    userId: actor.userId,
    username: actor.username,
    ...(actor.tokenId ? { tokenId: actor.tokenId } : {}),
    ...(actor.workerId ? { workerId: actor.workerId } : {}),
  };
}

/**
 * Appends one event to its subject's hash chain, inside the caller's transaction so it commits with
 * the change it describes or not at all (DESIGN invariant 1). A transaction is required: the chain's
 * head row stays locked from claiming the seq to recording the new hash.
 */
export async function recordAuditEvent(trx: Transaction<Database>, input: AuditEventInput): Promise<StoredAuditEvent> {
  // A chain this transaction already appended to is locked by it, and its head is known: no need to ask.
  const heads = headsOf(trx);
  const chain = `${input.subjectType}\u0000${input.subjectId}`;
  const known = heads.get(chain);
  const { seq, prevHash } = known
    ? { seq: known.seq + 1, prevHash: known.hash }
    : await claimNextSeq(trx, input.subjectType, input.subjectId);
  const content = {
    id: newId(),
    subjectType: input.subjectType,
    subjectId: input.subjectId,
    seq,
    executionId: input.executionId ?? null,
    eventType: input.eventType,
    actor: auditActor(input.actor),
    metadata: input.metadata ?? {},
    createdAt: nowIso(),
  };
  const key = auditKeyOf(trx);
  // An event without the deployment's authentication would be indistinguishable from a forged one.
  if (!key) throw new Error('audit events are recorded through a store handle bound to the deployment audit key (withAuditKey)');
  const hash = auditHash(prevHash, content);
  const event: StoredAuditEvent = { ...content, prevHash, hash, keyId: key.keyId, mac: key.authenticate(hash) };
  const held = heldAppends(trx);
  if (held) held.auditEvents.push(event);
  else await appendAuditEvent(trx, event);
  heads.set(chain, { seq, hash });
  auditAppendStats.appended += 1;
  return event;
}

/**
 * The chain's head as this transaction read it while locking its row (e.g. with the execution's
 * row): the next event of the chain is appended without asking the store for it.
 */
export function knowChainHead(
  trx: Transaction<Database>,
  subjectType: AuditEventInput['subjectType'],
  subjectId: string,
  head: ChainHead,
): void {
  const heads = headsOf(trx);
  const chain = `${subjectType}\u0000${subjectId}`;
  if (!heads.has(chain)) heads.set(chain, head);
}

/**
 * The subject was created in this transaction (an execution just inserted): its chain starts here,
 * and its head row is created with the first event instead of being looked for.
 */
export function startChain(trx: Transaction<Database>, subjectType: AuditEventInput['subjectType'], subjectId: string): void {
  knowChainHead(trx, subjectType, subjectId, { seq: 0, hash: null });
}

/** A chain's last seq and hash (0 and null before its first event). */
interface ChainHead {
  seq: number;
  hash: string | null;
}

/** The heads of the chains each open transaction has appended to (forgotten with the transaction). */
const headsByTransaction = new WeakMap<Transaction<Database>, Map<string, ChainHead>>();

function headsOf(trx: Transaction<Database>): Map<string, ChainHead> {
  let heads = headsByTransaction.get(trx);
  if (!heads) headsByTransaction.set(trx, (heads = new Map<string, ChainHead>()));
  return heads;
}
