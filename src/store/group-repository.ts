import { sql, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { Database } from './database-schema.ts';
import { containsPattern } from './like-pattern.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface Group {
  id: string;
  name: string;
  createdBy: string | null;
  createdAt: string;
  members: { id: string; username: string }[];
}

export async function insertGroup(db: Db, g: { id: string; name: string; createdBy: string | null; createdAt: string }): Promise<void> {
  await db.insertInto('groups').values({ id: g.id, name: g.name, created_by: g.createdBy, created_at: g.createdAt }).execute();
}

/** Groups with their members, in two queries whatever the number of groups. */
export async function listGroups(db: Db, ids?: readonly string[]): Promise<Group[]> {
  let q = db.selectFrom('groups').selectAll().orderBy('name');
  if (ids) {
    if (ids.length === 0) return [];
    q = q.where('id', 'in', [...ids]);
  }
  const groups = await q.execute();
  if (groups.length === 0) return [];
  const members = await db
    .selectFrom('group_members')
    .innerJoin('users', 'users.id', 'group_members.user_id')
    .select(['group_members.group_id', 'users.id', 'users.username'])
    .where(
      'group_members.group_id',
      'in',
      groups.map((g) => g.id),
    )
    .orderBy('users.username')
    .execute();
  return groups.map((g) => ({
    id: g.id,
    name: g.name,
    createdBy: g.created_by,
    createdAt: g.created_at,
    members: members.filter((m) => m.group_id === g.id).map((m) => ({ id: m.id, username: m.username })),
  }));
}

export async function getGroupByName(db: Db, name: string): Promise<{ id: string; name: string } | undefined> {
  return db.selectFrom('groups').select(['id', 'name']).where('name', '=', name).executeTakeFirst();
}

export async function deleteGroup(db: Db, id: string): Promise<boolean> {
  await db.deleteFrom('execution_shares').where('principal_type', '=', 'group').where('principal_id', '=', id).execute();
  const result = await db.deleteFrom('groups').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * Adds a member; returns whether they were not one before. One statement that does nothing on a
 * member already there: two concurrent adds of the same member both succeed, one of them adds.
 */
export async function addGroupMember(db: Db, groupId: string, userId: string, now: string): Promise<boolean> {
  const result = await db
    .insertInto('group_members')
    .values({ group_id: groupId, user_id: userId, added_at: now })
    .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function removeGroupMember(db: Db, groupId: string, userId: string): Promise<boolean> {
  const result = await db.deleteFrom('group_members').where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Groups whose name contains `text` (any case), by name: whom a record can be shared with. */
export async function searchGroups(db: Db, text: string, limit: number): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('groups')
    .select(['id', 'name'])
    .where(sql<SqlBool>`lower(name) like ${containsPattern(text)} escape '\\'`)
    .orderBy('name')
    .limit(limit)
    .execute();
}
