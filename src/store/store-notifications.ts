import { sql, type Kysely, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './database-schema.ts';

/**
 * Cross-process wake-ups on PostgreSQL (capability `listenNotify`): a writer calls `notify` inside
 * its transaction, so listeners hear of it exactly when the rows become visible, and a listener in
 * another server process wakes at once instead of at its next poll.
 */

/** A channel per schema, so installations (and tests) sharing one database do not wake each other. */
export function channelName(topic: string, schema: string | undefined): string {
  return `runledger_${topic}_${schema ?? 'public'}`.slice(0, 63);
}

/** Queues one notification per payload; PostgreSQL delivers them when the transaction commits. */
export async function notify(trx: Transaction<Database> | Kysely<Database>, channel: string, payloads: Iterable<string>): Promise<void> {
  for (const payload of new Set(payloads)) await sql`select pg_notify(${channel}, ${payload})`.execute(trx);
}

/** Queues every (channel, payload) pair in one statement; delivered when the transaction commits. */
export async function notifyAll(
  trx: Transaction<Database> | Kysely<Database>,
  batches: ReadonlyArray<readonly [channel: string, payloads: readonly string[]]>,
): Promise<void> {
  const channels: string[] = [];
  const payloads: string[] = [];
  for (const [channel, list] of batches) {
    for (const payload of list) {
      channels.push(channel);
      payloads.push(payload);
    }
  }
  if (channels.length === 0) return;
  await sql`select pg_notify(c, p) from unnest(${channels}::text[], ${payloads}::text[]) as t(c, p)`.execute(trx);
}

export interface Listener {
  close(): Promise<void>;
}

/**
 * LISTENs on `channel` on a connection of its own (a pooled one would be handed to other queries)
 * and calls `onPayload` for each notification. A lost connection is reopened after a second; the
 * pollers that back every follower cover the gap.
 */
export async function listen(
  connectionString: string,
  channel: string,
  onPayload: (payload: string) => void,
  onError: (e: Error) => void = () => {},
): Promise<Listener> {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString });
    c.on('notification', (n) => {
      if (n.channel === channel && n.payload) onPayload(n.payload);
    });
    c.on('error', (e) => {
      onError(e);
      void c.end().catch(() => {});
      if (!closed) retry = setTimeout(() => void connect().catch(onError), 1000).unref();
    });
    await c.connect();
    await c.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
    client = c;
  };
  await connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
