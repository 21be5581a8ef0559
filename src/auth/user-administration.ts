import type { Kysely } from 'kysely';
import { ConflictError, GroupNotFoundError, InvalidStateError, NotFoundError, UserNotFoundError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Actor, Role, User } from '../domain/records.ts';
import { nowIso } from '../domain/time.ts';
import { recordAuditEvent } from '../observe/audit-logger.ts';
import { endBrowserSessionsOfUser } from '../store/browser-session-repository.ts';
import type { Database } from '../store/database-schema.ts';
import * as groups from '../store/group-repository.ts';
import * as users from '../store/user-repository.ts';
import { hashPassword } from './passwords.ts';

/**
 * Administration of users and groups. Each change commits with its audit event (who, what) in one
 * transaction; a password is never part of the event. The caller has checked that the actor is an admin.
 */
export class UserAdministration {
  constructor(private readonly db: Kysely<Database>) {}

  async createUser(
    actor: Actor,
    input: { username: string; password: string; role: Role; canEditWorkflows?: boolean | undefined },
  ): Promise<User> {
    const { username, role, canEditWorkflows } = input;
    if (await users.getUserByUsername(this.db, username)) throw new ConflictError(`User "${username}" already exists`, { username });
    const id = newId();
    const passwordHash = await hashPassword(input.password);
    await this.db.transaction().execute(async (trx) => {
      const now = nowIso();
      await users.insertUser(trx, { id, username, passwordHash, role, now });
      if (canEditWorkflows) await users.updateUser(trx, id, { canEditWorkflows, updatedAt: now });
      await recordAuditEvent(trx, {
        subjectType: 'user',
        subjectId: id,
        eventType: 'USER_CREATED',
        actor,
        metadata: { username, role, canEditWorkflows },
      });
    });
    return (await users.getUserById(this.db, id))!;
  }

  /** Role, password, the workflow-editing grant, disabling; the last active admin cannot lose that. */
  async updateUser(
    actor: Actor,
    id: string,
    changes: {
      role?: Role | undefined;
      password?: string | undefined;
      disabled?: boolean | undefined;
      canEditWorkflows?: boolean | undefined;
    },
  ): Promise<User> {
    const { role, password, disabled, canEditWorkflows } = changes;
    const passwordHash = password === undefined ? undefined : await hashPassword(password);
    await this.db.transaction().execute(async (trx) => {
      const user = await users.getUserById(trx, id);
      if (!user) throw new UserNotFoundError(id);
      const losesAdmin = user.role === 'admin' && !user.disabledAt && (role === 'member' || disabled === true);
      if (losesAdmin) {
        const activeAdmins = (await users.listUsers(trx)).filter((u) => u.role === 'admin' && !u.disabledAt);
        if (activeAdmins.length <= 1) throw new InvalidStateError('This is the last active admin; make another admin first');
      }
      const now = nowIso();
      await users.updateUser(trx, user.id, {
        role,
        passwordHash,
        canEditWorkflows,
        disabledAt: disabled === undefined ? undefined : disabled ? (user.disabledAt ?? now) : null,
        updatedAt: now,
      });
      // A reset password ends every way in that the old one opened: sessions, sign-in and API tokens.
      const revoked =
        password === undefined
          ? undefined
          : {
              apiTokens: await users.revokeApiTokensOfUser(trx, user.id, now),
              browserSessions: await endBrowserSessionsOfUser(trx, user.id, now),
            };
      await recordAuditEvent(trx, {
        subjectType: 'user',
        subjectId: user.id,
        eventType: 'USER_UPDATED',
        actor,
        // never the password itself
        metadata: {
          username: user.username,
          role,
          disabled,
          canEditWorkflows,
          passwordReset: password !== undefined,
          ...(revoked ? { revoked } : {}),
        },
      });
    });
    return (await users.getUserById(this.db, id))!;
  }

  async createGroup(actor: Actor, name: string): Promise<groups.Group> {
    if (await groups.getGroupByName(this.db, name)) throw new ConflictError(`Group "${name}" already exists`, { name });
    const id = newId();
    await this.db.transaction().execute(async (trx) => {
      await groups.insertGroup(trx, { id, name, createdBy: actor.userId, createdAt: nowIso() });
      await recordAuditEvent(trx, { subjectType: 'group', subjectId: id, eventType: 'GROUP_CREATED', actor, metadata: { name } });
    });
    return (await groups.listGroups(this.db, [id]))[0]!;
  }

  /** Deletes a group; its shares go with it. */
  async deleteGroup(actor: Actor, id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (!(await groups.deleteGroup(trx, id))) throw new GroupNotFoundError(id);
      await recordAuditEvent(trx, { subjectType: 'group', subjectId: id, eventType: 'GROUP_DELETED', actor });
    });
  }

  /** Adds a member (a member already in the group changes nothing and records nothing). */
  async addGroupMember(actor: Actor, id: string, userId: string): Promise<groups.Group> {
    await this.db.transaction().execute(async (trx) => {
      if ((await groups.listGroups(trx, [id])).length === 0) throw new GroupNotFoundError(id);
      if (!(await users.getUserById(trx, userId))) throw new UserNotFoundError(userId);
      if (await groups.addGroupMember(trx, id, userId, nowIso())) {
        await recordAuditEvent(trx, { subjectType: 'group', subjectId: id, eventType: 'GROUP_MEMBER_ADDED', actor, metadata: { userId } });
      }
    });
    return (await groups.listGroups(this.db, [id]))[0]!;
  }

  /** Removes a member; effective on their next request. */
  async removeGroupMember(actor: Actor, id: string, userId: string): Promise<groups.Group> {
    await this.db.transaction().execute(async (trx) => {
      if (!(await groups.removeGroupMember(trx, id, userId)))
        throw new NotFoundError(`User ${userId} is not a member of group ${id}`, { id, userId });
      await recordAuditEvent(trx, { subjectType: 'group', subjectId: id, eventType: 'GROUP_MEMBER_REMOVED', actor, metadata: { userId } });
    });
    return (await groups.listGroups(this.db, [id]))[0]!;
  }
}
