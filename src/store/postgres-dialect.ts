import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database-schema.ts';

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
  options: { max?: number; searchPath?: string } = {},
): { db: Kysely<Database>; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    types: { getTypeParser },
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool };
}
