import type { Kysely, Selectable, Transaction } from 'kysely';
import type { BrowserSessionsTable, Database } from './database-schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface BrowserSession {
  id: string;
  userId: string;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
  endedAt: string | null;
}

function toSession(row: Selectable<BrowserSessionsTable>): BrowserSession {
  return {
    id: row.id,
    userId: row.user_id,
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastSeenAt: row.last_seen_at,
    endedAt: row.ended_at,
  };
}

export async function insertBrowserSession(db: Db, session: BrowserSession & { tokenHash: string }): Promise<void> {
  await db
    .insertInto('browser_sessions')
    .values({
      id: session.id,
      user_id: session.userId,
      token_hash: session.tokenHash,
      csrf_token: session.csrfToken,
      created_at: session.createdAt,
      expires_at: session.expiresAt,
      last_seen_at: session.lastSeenAt,
      ended_at: null,
    })
    .execute();
}

/** The session a cookie's hash belongs to, ended or not (the caller decides). */
export async function getBrowserSessionByHash(db: Db, tokenHash: string): Promise<BrowserSession | undefined> {
  const row = await db.selectFrom('browser_sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  return row && toSession(row);
}

export async function touchBrowserSession(db: Db, id: string, now: string): Promise<void> {
  await db.updateTable('browser_sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
}

/** Ends one session; false when it had ended already. */
export async function endBrowserSession(db: Db, id: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('browser_sessions')
    .set({ ended_at: now })
    .where('id', '=', id)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Ends every open session of a user (password reset, disabled); returns how many. */
export async function endBrowserSessionsOfUser(db: Db, userId: string, now: string): Promise<number> {
  const result = await db
    .updateTable('browser_sessions')
    .set({ ended_at: now })
    .where('user_id', '=', userId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
