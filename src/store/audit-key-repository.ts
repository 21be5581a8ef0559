import type { Kysely, Transaction } from 'kysely';
import type { ChainHead } from '../domain/audit.ts';
import type { Database } from './database-schema.ts';
import { fromJson, toJson } from './json-column.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The deployment's audit key as registered in the store. */
export interface AuditKeyRegistration {
  generation: number;
  keyId: string;
  publicKey: string;
  registeredAt: string;
  /** Every chain's head at registration: the events up to these carry no MAC. */
  heads: ChainHead[];
  signature: string;
}

export async function listAuditKeys(db: Db): Promise<AuditKeyRegistration[]> {
  const rows = await db.selectFrom('audit_keys').selectAll().orderBy('generation').execute();
  return rows.map((r) => ({
    generation: r.generation,
    keyId: r.key_id,
    publicKey: r.public_key,
    registeredAt: r.registered_at,
    heads: fromJson<ChainHead[]>(r.heads),
    signature: r.signature,
  }));
}

export async function insertAuditKey(db: Db, k: AuditKeyRegistration): Promise<void> {
  await db
    .insertInto('audit_keys')
    .values({
      generation: k.generation,
      key_id: k.keyId,
      public_key: k.publicKey,
      registered_at: k.registeredAt,
      heads: toJson(k.heads),
      signature: k.signature,
    })
    .execute();
}
