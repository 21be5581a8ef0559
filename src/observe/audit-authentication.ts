import type {
  Kysely,
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import { AuditKeyMismatchError } from '../domain/errors.ts';
import { nowIso } from '../domain/time.ts';
import { listChainHeads } from '../store/audit-checkpoint-repository.ts';
import { insertAuditKey, listAuditKeys, type AuditKeyRegistration } from '../store/audit-key-repository.ts';
import type { Database } from '../store/database-schema.ts';
import type { Store } from '../store/store.ts';
import { canonicalJson } from './audit-chain.ts';
import type { AuditSigner } from './audit-signer.ts';

/**
 * Binds the deployment's audit key to a store handle: every transaction begun from the handle carries
 * it (Kysely hands a handle's plugins to its transactions), so `recordAuditEvent(trx, …)` finds the key
 * wherever the transaction was opened. It changes no query.
 */
class AuditKeyPlugin implements KyselyPlugin {
  constructor(readonly signer: AuditSigner) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/** The store handle whose audit events are authenticated with `signer`. */
export function withAuditKey(db: Kysely<Database>, signer: AuditSigner): Kysely<Database> {
  return db.withPlugin(new AuditKeyPlugin(signer));
}

/** The audit key bound to a handle or transaction, if any. */
export function auditKeyOf(db: Kysely<Database>): AuditSigner | undefined {
  const plugin = db.getExecutor().plugins.find((p): p is AuditKeyPlugin => p instanceof AuditKeyPlugin);
  return plugin?.signer;
}

/** What the registration's signature covers. */
export function registrationDigest(k: Pick<AuditKeyRegistration, 'generation' | 'keyId' | 'publicKey' | 'registeredAt' | 'heads'>): string {
  return canonicalJson({ generation: k.generation, keyId: k.keyId, publicKey: k.publicKey, registeredAt: k.registeredAt, heads: k.heads });
}

/**
 * Makes `signer` the deployment's audit key, or checks that it is: the first process to start on a
 * store registers its key (with every chain's head then, so the events from before authentication
 * are known); every later process must hold the same key. A node with a key of its own (a second
 * server that generated one in its own data directory) is refused: its events could not be verified
 * with the deployment's key, and verification would fail for good.
 */
export async function registerAuditKey(db: Kysely<Database>, signer: AuditSigner): Promise<AuditKeyRegistration> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(async (trx) => {
        const registered = (await listAuditKeys(trx)).at(-1);
        if (registered) {
          if (registered.keyId !== signer.keyId)
            throw new AuditKeyMismatchError(registered.keyId, registered.registeredAt, signer.keyId, signer.source);
          return registered;
        }
        const base = {
          generation: 1,
          keyId: signer.keyId,
          publicKey: signer.publicKeyPem(),
          registeredAt: nowIso(),
          heads: await listChainHeads(trx),
        };
        const registration = { ...base, signature: signer.signText(registrationDigest(base)) };
        await insertAuditKey(trx, registration);
        return registration;
      });
    } catch (e: unknown) {
      // Another process registered a key at the same moment: read what it registered.
      if (e instanceof AuditKeyMismatchError || attempt > 1) throw e;
    }
  }
}

/**
 * The store with the deployment's audit key bound to it, once the key is registered (or found to be
 * the registered one): every audit event written through it is authenticated.
 */
export async function bindAuditKey(store: Store, signer: AuditSigner): Promise<Store> {
  await registerAuditKey(store.db, signer);
  return { ...store, db: withAuditKey(store.db, signer) };
}
