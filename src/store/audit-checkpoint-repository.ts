import type { AuditCheckpoint, ChainHead } from '../domain/audit.ts';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { AuditCheckpointsTable, Database } from './database-schema.ts';
import { fromJson, toJson } from './json-column.ts';

type Db = Kysely<Database> | Transaction<Database>;

export type { AuditCheckpoint, ChainHead };

function toCheckpoint(row: Selectable<AuditCheckpointsTable>): AuditCheckpoint {
  return {
    id: row.id,
    seq: row.seq,
    createdAt: row.created_at,
    reason: row.reason,
    heads: fromJson<ChainHead[]>(row.heads),
    prevHash: row.prev_hash,
    hash: row.hash,
    keyId: row.key_id,
    signature: row.signature,
  };
}

/** Every chain's head, in a stable order. */
export async function listChainHeads(db: Db): Promise<ChainHead[]> {
  const rows = await db
    .selectFrom('audit_chain_heads')
    .select(['subject_type', 'subject_id', 'seq', 'hash'])
    .where('hash', 'is not', null)
    .orderBy('subject_type')
    .orderBy('subject_id')
    .execute();
  return rows.map((r) => [r.subject_type, r.subject_id, r.seq, r.hash!]);
}

export async function latestCheckpoint(db: Db): Promise<AuditCheckpoint | undefined> {
  const row = await db.selectFrom('audit_checkpoints').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return row && toCheckpoint(row);
}

export async function listCheckpoints(db: Db): Promise<AuditCheckpoint[]> {
  const rows = await db.selectFrom('audit_checkpoints').selectAll().orderBy('seq').execute();
  return rows.map(toCheckpoint);
}

export async function insertCheckpoint(db: Db, c: AuditCheckpoint): Promise<void> {
  await db
    .insertInto('audit_checkpoints')
    .values({
      id: c.id,
      seq: c.seq,
      created_at: c.createdAt,
      reason: c.reason,
      heads: toJson(c.heads),
      prev_hash: c.prevHash,
      hash: c.hash,
      key_id: c.keyId,
      signature: c.signature,
    })
    .execute();
}
