import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assertAdmin } from '../../auth/access-policy.ts';
import { UserAdministration } from '../../auth/user-administration.ts';
import * as groups from '../../store/group-repository.ts';
import * as users from '../../store/user-repository.ts';
import { actorOf } from '../access-hook.ts';
import type { AppServices } from '../app-services.ts';
import { createGroupBody, createUserBody, groupMemberParams, groupParams, updateUserBody, userParams } from '../schemas.ts';
import { groupViewWire, listOf, problemResponses, userDetailWire } from '../../domain/wire/index.ts';
import { noContent } from '../response-schemas.ts';

/** Users and groups: admins only; each change is a use case that commits with its audit event. */
export function adminRoutes(services: AppServices): FastifyPluginAsyncZod {
  const db = services.store.db;
  const admin = new UserAdministration(db);
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
      async (request, reply) => reply.code(201).send(await admin.createUser(actorOf(request), request.body)),
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
      async (request) => admin.updateUser(actorOf(request), request.params.id, request.body),
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
      async (request, reply) => reply.code(201).send(await admin.createGroup(actorOf(request), request.body.name)),
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
        await admin.deleteGroup(actorOf(request), request.params.id);
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
      async (request) => admin.addGroupMember(actorOf(request), request.params.id, request.params.userId),
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
      async (request) => admin.removeGroupMember(actorOf(request), request.params.id, request.params.userId),
    );
  };
}
