import { sql, type Kysely, type Selectable, type SqlBool, type Transaction } from 'kysely';
import type { Role, User } from '../domain/records.ts';
import type { ApiTokensTable, Database, UsersTable } from './database-schema.ts';
import { containsPattern } from './like-pattern.ts';

type Db = Kysely<Database> | Transaction<Database>;

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    username: row.username,
    role: row.role as Role,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    disabledAt: row.disabled_at,
    canEditWorkflows: row.can_edit_workflows === 1,
  };
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertUser(
  db: Db,
  user: { id: string; username: string; passwordHash: string; role: Role; now: string },
): Promise<void> {
  await db
    .insertInto('users')
    .values({
      id: user.id,
      username: user.username,
      password_hash: user.passwordHash,
      role: user.role,
      created_at: user.now,
      updated_at: user.now,
      disabled_at: null,
    })
    .execute();
}

export async function getUserById(db: Db, id: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toUser(row);
}

/** The user and when their password was last reset (sign-in tokens issued before it are void), in one read. */
export async function getUserForSession(db: Db, id: string): Promise<{ user: User; credentialsChangedAt: string | null } | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row && { user: toUser(row), credentialsChangedAt: row.credentials_changed_at };
}

/** The user and their password hash, for login only. */
export async function getUserCredentials(db: Db, username: string): Promise<{ user: User; passwordHash: string } | undefined> {
  const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  return row && { user: toUser(row), passwordHash: row.password_hash };
}

/** Lockout state for sign-in. */
export async function getLoginState(db: Db, userId: string): Promise<{ failedLogins: number; lockedUntil: string | null }> {
  const row = await db.selectFrom('users').select(['failed_logins', 'locked_until']).where('id', '=', userId).executeTakeFirstOrThrow();
  return { failedLogins: row.failed_logins, lockedUntil: row.locked_until };
}

export async function setLoginState(db: Db, userId: string, state: { failedLogins: number; lockedUntil: string | null }): Promise<void> {
  await db
    .updateTable('users')
    .set({ failed_logins: state.failedLogins, locked_until: state.lockedUntil })
    .where('id', '=', userId)
    .execute();
}

export async function getUserByUsername(db: Db, username: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  return row && toUser(row);
}

export interface UserChanges {
  role?: Role;
  passwordHash?: string;
  disabledAt?: string | null;
  canEditWorkflows?: boolean;
  updatedAt: string;
}

export async function updateUser(db: Db, id: string, changes: UserChanges): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({
      updated_at: changes.updatedAt,
      ...(changes.role !== undefined ? { role: changes.role } : {}),
      ...(changes.passwordHash !== undefined
        ? { password_hash: changes.passwordHash, failed_logins: 0, locked_until: null, credentials_changed_at: changes.updatedAt }
        : {}),
      ...(changes.disabledAt !== undefined ? { disabled_at: changes.disabledAt } : {}),
      ...(changes.canEditWorkflows !== undefined ? { can_edit_workflows: changes.canEditWorkflows ? 1 : 0 } : {}),
    })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function listUsers(db: Db): Promise<User[]> {
  const rows = await db.selectFrom('users').selectAll().orderBy('username').execute();
  return rows.map(toUser);
}

export interface ApiToken {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

function toToken(row: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export async function insertApiToken(db: Db, token: ApiToken & { tokenHash: string }): Promise<void> {
  await db
    .insertInto('api_tokens')
    .values({
      id: token.id,
      user_id: token.userId,
      name: token.name,
      token_hash: token.tokenHash,
      prefix: token.prefix,
      created_at: token.createdAt,
      expires_at: token.expiresAt,
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
}

/** The token of a hash and the user it belongs to, in one read: every API call with a token starts here. */
export async function getApiTokenWithUser(db: Db, tokenHash: string): Promise<{ token: ApiToken; user: User } | undefined> {
  const row = await db
    .selectFrom('api_tokens as t')
    .innerJoin('users', 'users.id', 't.user_id')
    .selectAll('users')
    .select([
      't.id as token_id',
      't.name as token_name',
      't.prefix as token_prefix',
      't.created_at as token_created_at',
      't.expires_at as token_expires_at',
      't.last_used_at as token_last_used_at',
      't.revoked_at as token_revoked_at',
    ])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  const token: ApiToken = {
    id: row.token_id,
    userId: row.id,
    name: row.token_name,
    prefix: row.token_prefix,
    createdAt: row.token_created_at,
    expiresAt: row.token_expires_at,
    lastUsedAt: row.token_last_used_at,
    revokedAt: row.token_revoked_at,
  };
  return { token, user: toUser(row) };
}

export async function listApiTokens(db: Db, userId: string): Promise<ApiToken[]> {
  const rows = await db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('id').execute();
  return rows.map(toToken);
}

export async function revokeApiToken(db: Db, userId: string, id: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function touchApiToken(db: Db, id: string, now: string): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
}

/** Usernames by user id, for pages that show who did something. */
export async function usernames(db: Db, ids: readonly (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'username']).where('id', 'in', wanted).execute();
  return new Map(rows.map((r) => [r.id, r.username]));
}

/** Enabled users whose name contains `text` (any case), by name: whom a record can be shared with. */
export async function searchUsers(db: Db, text: string, limit: number): Promise<{ id: string; username: string }[]> {
  return db
    .selectFrom('users')
    .select(['id', 'username'])
    .where('disabled_at', 'is', null)
    .where(sql<SqlBool>`lower(username) like ${containsPattern(text)} escape '\\'`)
    .orderBy('username')
    .limit(limit)
    .execute();
}

/** Revokes every API token of a user still valid; answers how many. */
export async function revokeApiTokensOfUser(db: Db, userId: string, now: string): Promise<number> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
