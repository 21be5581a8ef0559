import { PostgresAdapter, sql, type Insertable, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { AuditEventsTable, Database } from './database-schema.ts';
import { fromJson, toJson } from './json-column.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface StoredAuditEvent {
  id: string;
  subjectType: string;
  subjectId: string;
  seq: number;
  executionId: string | null;
  eventType: string;
  actor: Record<string, unknown>;
  metadata: Record<string, unknown>;
  createdAt: string;
  prevHash: string | null;
  hash: string;
  /** The deployment key that authenticated it, and the HMAC of `hash` under that key (null before authentication). */
  keyId: string | null;
  mac: string | null;
}

function toEvent(row: Selectable<AuditEventsTable>): StoredAuditEvent {
  return {
    id: row.id,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    seq: row.seq,
    executionId: row.execution_id,
    eventType: row.event_type,
    actor: fromJson(row.actor),
    metadata: fromJson(row.metadata),
    createdAt: row.created_at,
    prevHash: row.prev_hash,
    hash: row.hash,
    keyId: row.key_id,
    mac: row.mac,
  };
}

/**
 * Claims the next seq of a subject's chain and returns it with the previous event's hash. The head
 * row stays locked until the caller's transaction ends, so appends to one chain are serialised on
 * every dialect; `appendAuditEvent` must follow in the same transaction.
 */
export async function claimNextSeq(db: Db, subjectType: string, subjectId: string): Promise<{ seq: number; prevHash: string | null }> {
  // One statement: a new chain starts at 1, an existing one moves on by one (and stays locked).
  const head = await db
    .insertInto('audit_chain_heads')
    .values({ subject_type: subjectType, subject_id: subjectId, seq: 1, hash: null })
    .onConflict((oc) => oc.columns(['subject_type', 'subject_id']).doUpdateSet((eb) => ({ seq: eb('audit_chain_heads.seq', '+', 1) })))
    .returning(['seq', 'hash'])
    .executeTakeFirstOrThrow();
  return { seq: head.seq, prevHash: head.hash };
}

export async function getChainHead(
  db: Db,
  subjectType: string,
  subjectId: string,
): Promise<{ seq: number; hash: string | null } | undefined> {
  return db
    .selectFrom('audit_chain_heads')
    .select(['seq', 'hash'])
    .where('subject_type', '=', subjectType)
    .where('subject_id', '=', subjectId)
    .executeTakeFirst();
}

/**
 * Writes the event and moves its chain's head to it. On PostgreSQL one statement does both (a
 * data-modifying WITH); elsewhere two. The caller holds the head row (claimNextSeq in this transaction).
 */
export async function appendAuditEvent(db: Db, e: StoredAuditEvent): Promise<void> {
  await appendAuditEvents(db, [e]);
}

/**
 * Writes events (in order) and moves each chain's head to its last one, creating the head of a chain
 * that starts here: on PostgreSQL one statement whatever the number of events and chains, elsewhere
 * one insert and an upsert per chain. The caller holds every existing head row (claimed or locked in
 * this transaction), or knows the chain is new (its execution was created in this transaction).
 */
export async function appendAuditEvents(db: Db, events: readonly StoredAuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    const { events: inserted, heads } = auditEventRows(db, events);
    await sql`with appended as (${inserted}) ${heads}`.execute(db);
    return;
  }
  await db.insertInto('audit_events').values(events.map(eventRow)).execute();
  await moveHeads(db, events).execute();
}

/** The head of each chain moved to its last event among `events` (created if the chain is new). */
function moveHeads(db: Db, events: readonly StoredAuditEvent[]) {
  const last = new Map<string, StoredAuditEvent>();
  for (const e of events) last.set(`${e.subjectType}\u0000${e.subjectId}`, e);
  return db
    .insertInto('audit_chain_heads')
    .values([...last.values()].map((e) => ({ subject_type: e.subjectType, subject_id: e.subjectId, seq: e.seq, hash: e.hash })))
    .onConflict((oc) =>
      oc.columns(['subject_type', 'subject_id']).doUpdateSet((eb) => ({ seq: eb.ref('excluded.seq'), hash: eb.ref('excluded.hash') })),
    );
}

/**
 * The two statements that append events (PostgreSQL): the insert, and the upsert that moves each
 * chain's head to its last event; the caller runs them together (WITH).
 */
export function auditEventRows(db: Db, events: readonly StoredAuditEvent[]) {
  return { events: db.insertInto('audit_events').values(events.map(eventRow)), heads: moveHeads(db, events) };
}

export async function insertAuditEvent(db: Db, e: StoredAuditEvent): Promise<void> {
  await db.insertInto('audit_events').values(eventRow(e)).execute();
}

function eventRow(e: StoredAuditEvent): Insertable<AuditEventsTable> {
  return {
    id: e.id,
    subject_type: e.subjectType,
    subject_id: e.subjectId,
    seq: e.seq,
    execution_id: e.executionId,
    event_type: e.eventType,
    actor: toJson(e.actor),
    metadata: toJson(e.metadata),
    created_at: e.createdAt,
    prev_hash: e.prevHash,
    hash: e.hash,
    key_id: e.keyId,
    mac: e.mac,
  };
}

/** A page of every event in id order, after a cursor: the export reads the whole trail this way. */
export async function listAuditEventsAfter(db: Db, afterId: string | null, limit: number): Promise<StoredAuditEvent[]> {
  let q = db.selectFrom('audit_events').selectAll();
  if (afterId) q = q.where('id', '>', afterId);
  const rows = await q.orderBy('id').limit(limit).execute();
  return rows.map(toEvent);
}

/** One subject's chain as stored, in insertion (id) order: a reordering shows as out-of-order seqs. */
export async function listAuditChain(db: Db, subjectType: string, subjectId: string): Promise<StoredAuditEvent[]> {
  const rows = await db
    .selectFrom('audit_events')
    .selectAll()
    .where('subject_type', '=', subjectType)
    .where('subject_id', '=', subjectId)
    .orderBy('id')
    .execute();
  return rows.map(toEvent);
}

export async function listAuditEventsByExecution(db: Db, executionId: string): Promise<StoredAuditEvent[]> {
  const rows = await db.selectFrom('audit_events').selectAll().where('execution_id', '=', executionId).orderBy('id').execute();
  return rows.map(toEvent);
}

export async function listAuditEvents(
  db: Db,
  filter: { subjectType?: string; eventType?: string; limit: number },
): Promise<StoredAuditEvent[]> {
  let q = db.selectFrom('audit_events').selectAll();
  if (filter.subjectType) q = q.where('subject_type', '=', filter.subjectType);
  if (filter.eventType) q = q.where('event_type', '=', filter.eventType);
  const rows = await q.orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map(toEvent);
}

/**
 * What the ATTACHMENT_ADDED events recorded of these attachments (sha256, size), by attachment id:
 * the authenticated account of each upload, which the attachment rows must still agree with.
 */
export async function recordedAttachmentFacts(
  db: Db,
  executionIds: readonly string[],
): Promise<Map<string, { sha256: unknown; sizeBytes: unknown }>> {
  const facts = new Map<string, { sha256: unknown; sizeBytes: unknown }>();
  if (executionIds.length === 0) return facts;
  const rows = await db
    .selectFrom('audit_events')
    .select('metadata')
    .where('event_type', '=', 'ATTACHMENT_ADDED')
    .where('execution_id', 'in', [...new Set(executionIds)])
    .execute();
  for (const row of rows) {
    const m = fromJson<Record<string, unknown>>(row.metadata);
    facts.set(String(m.attachmentId), { sha256: m.sha256, sizeBytes: m.sizeBytes });
  }
  return facts;
}
