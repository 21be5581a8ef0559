import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assertAdmin } from '../../auth/access-policy.ts';
import { hashPassword } from '../../auth/passwords.ts';
import { ConflictError, GroupNotFoundError, InvalidStateError, NotFoundError, UserNotFoundError } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import { nowIso } from '../../domain/time.ts';
import { recordAuditEvent } from '../../observe/audit-logger.ts';
import * as groups from '../../store/group-repository.ts';
import * as users from '../../store/user-repository.ts';
import { actorOf } from '../access-hook.ts';
import type { AppServices } from '../app-services.ts';
import { createGroupBody, createUserBody, groupMemberParams, groupParams, updateUserBody, userParams } from '../schemas.ts';
import { groupViewWire, listOf, problemResponses, userDetailWire } from '../../domain/wire/index.ts';
import { noContent } from '../response-schemas.ts';

/** Users and groups: admins only; every change is an audit event in the same transaction. */
export function adminRoutes(services: AppServices): FastifyPluginAsyncZod {
  const db = services.store.db;
  return async (app) => {
    // onRequest: a non-admin learns nothing from validation errors.
    app.addHook('onRequest', async (request) => assertAdmin(actorOf(request)));

    app.get(
      '/admin/users',
      { schema: { response: { 200: listOf(userDetailWire), ...problemResponses }, tags: ['admin'], summary: 'Users' } },
      async () => ({ items: await users.listUsers(db) }),
    );

    app.post(
      '/admin/users',
      {
        schema: { response: { 201: userDetailWire, ...problemResponses }, tags: ['admin'], summary: 'Create a user', body: createUserBody },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const { username, password, role, canEditWorkflows } = request.body;
        if (await users.getUserByUsername(db, username)) throw new ConflictError(`User "${username}" already exists`, { username });
        const id = newId();
        const passwordHash = await hashPassword(password);
        await db.transaction().execute(async (trx) => {
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
        return reply.code(201).send((await users.getUserById(db, id))!);
      },
    );

    app.patch(
      '/admin/users/:id',
      {
        schema: {
          response: { 200: userDetailWire, ...problemResponses },
          tags: ['admin'],
          summary: 'Change role, password, grant, or disable a user',
          params: userParams,
          body: updateUserBody,
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const { role, password, disabled, canEditWorkflows } = request.body;
        const passwordHash = password === undefined ? undefined : await hashPassword(password);
        await db.transaction().execute(async (trx) => {
          const user = await users.getUserById(trx, request.params.id);
          if (!user) throw new UserNotFoundError(request.params.id);
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
          await recordAuditEvent(trx, {
            subjectType: 'user',
            subjectId: user.id,
            eventType: 'USER_UPDATED',
            actor,
            // never the password itself
            metadata: { username: user.username, role, disabled, canEditWorkflows, passwordReset: password !== undefined },
          });
        });
        return users.getUserById(db, request.params.id);
      },
    );

    app.get(
      '/admin/groups',
      { schema: { response: { 200: listOf(groupViewWire), ...problemResponses }, tags: ['admin'], summary: 'Groups and their members' } },
      async () => ({
        items: await groups.listGroups(db),
      }),
    );

    app.post(
      '/admin/groups',
      {
        schema: {
          response: { 201: groupViewWire, ...problemResponses },
          tags: ['admin'],
          summary: 'Create a group',
          body: createGroupBody,
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        if (await groups.getGroupByName(db, request.body.name))
          throw new ConflictError(`Group "${request.body.name}" already exists`, { name: request.body.name });
        const id = newId();
        await db.transaction().execute(async (trx) => {
          await groups.insertGroup(trx, { id, name: request.body.name, createdBy: actor.userId, createdAt: nowIso() });
          await recordAuditEvent(trx, {
            subjectType: 'group',
            subjectId: id,
            eventType: 'GROUP_CREATED',
            actor,
            metadata: { name: request.body.name },
          });
        });
        return reply.code(201).send((await groups.listGroups(db, [id]))[0]!);
      },
    );

    app.delete(
      '/admin/groups/:id',
      {
        schema: {
          response: { 204: noContent, ...problemResponses },
          tags: ['admin'],
          summary: 'Delete a group (its shares go with it)',
          params: groupParams,
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        await db.transaction().execute(async (trx) => {
          if (!(await groups.deleteGroup(trx, request.params.id))) throw new GroupNotFoundError(request.params.id);
          await recordAuditEvent(trx, { subjectType: 'group', subjectId: request.params.id, eventType: 'GROUP_DELETED', actor });
        });
        return reply.code(204).send(null);
      },
    );

    app.put(
      '/admin/groups/:id/members/:userId',
      {
        schema: {
          response: { 200: groupViewWire, ...problemResponses },
          tags: ['admin'],
          summary: 'Add a member',
          params: groupMemberParams,
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const { id, userId } = request.params;
        await db.transaction().execute(async (trx) => {
          if ((await groups.listGroups(trx, [id])).length === 0) throw new GroupNotFoundError(id);
          if (!(await users.getUserById(trx, userId))) throw new UserNotFoundError(userId);
          if (await groups.addGroupMember(trx, id, userId, nowIso())) {
            await recordAuditEvent(trx, {
              subjectType: 'group',
              subjectId: id,
              eventType: 'GROUP_MEMBER_ADDED',
              actor,
              metadata: { userId },
            });
          }
        });
        return (await groups.listGroups(db, [id]))[0];
      },
    );

    app.delete(
      '/admin/groups/:id/members/:userId',
      {
        schema: {
          response: { 200: groupViewWire, ...problemResponses },
          tags: ['admin'],
          summary: 'Remove a member (effective on the next request)',
          params: groupMemberParams,
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const { id, userId } = request.params;
        await db.transaction().execute(async (trx) => {
          if (!(await groups.removeGroupMember(trx, id, userId)))
            throw new NotFoundError(`User ${userId} is not a member of group ${id}`, { id, userId });
          await recordAuditEvent(trx, {
            subjectType: 'group',
            subjectId: id,
            eventType: 'GROUP_MEMBER_REMOVED',
            actor,
            metadata: { userId },
          });
        });
        return (await groups.listGroups(db, [id]))[0];
      },
    );
  };
}
