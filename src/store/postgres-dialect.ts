import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database-schema.ts';
import { StorableTextPlugin } from './storable-text.ts';

const TIMESTAMPTZ_OID = 1184;
const INT8_OID = 20;
const JSON_OID = 114;
const JSONB_OID = 3802;

/**
 * Type parsing per pool (not the global pg.types): timestamps arrive as ISO strings and JSON as its
 * text, so repositories read both dialects the same way.
 */
function getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === TIMESTAMPTZ_OID) return (value) => new Date(value).toISOString();
  if (oid === INT8_OID) return (value) => Number(value);
  if (oid === JSON_OID || oid === JSONB_OID) return (value) => value;
  return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
}

export function openPostgres(
  connectionString: string,
  options: { max?: number; searchPath?: string; idleTransactionTimeoutMs?: number; onIdleError?: (e: Error) => void } = {},
): { db: Kysely<Database>; pool: pg.Pool } {
  const settings = [
    ...(options.searchPath ? [`-c search_path=${options.searchPath}`] : []),
    ...(options.idleTransactionTimeoutMs ? [`-c idle_in_transaction_session_timeout=${Math.round(options.idleTransactionTimeoutMs)}`] : []),
  ];
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 16,
    types: { getTypeParser },
    ...(settings.length > 0 ? { options: settings.join(' ') } : {}),
  });
  // Without a listener, a client's error (the server closed the connection) would crash the process:
  // the pool listens to idle clients; every client also gets a listener of its own for the time it is
  // checked out (its query in flight fails on its own, and the pool drops the broken client).
  const onError = (e: Error) => (options.onIdleError ?? (() => undefined))(e);
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new StorableTextPlugin()] });
  return { db, pool };
}
