import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.ts';
import { DIALECTS } from '../support/stores.ts';

/** `GET /v1/directory?q=`: whom a record can be shared with, for any signed-in user. */
for (const dialect of DIALECTS) {
  describe(`GET /v1/directory [${dialect}]`, () => {
    let h: Harness;

    beforeAll(async () => {
      h = await createHarness(dialect);
      const alice = await h.api<{ id: string }>('POST', '/v1/admin/users', { username: 'alice', password: 'alice password 1' });
      const alan = await h.api<{ id: string }>('POST', '/v1/admin/users', { username: 'alan_b', password: 'alan password 12' });
      expect([alice.status, alan.status]).toEqual([201, 201]);
      expect((await h.api('PATCH', `/v1/admin/users/${alan.body.id}`, { disabled: true })).status).toBe(200);
      for (const name of ['ops', 'alpha-team']) expect((await h.api('POST', '/v1/admin/groups', { name })).status).toBe(201);
    });
    afterAll(async () => {
      await h.dispose();
    });

    it('finds enabled users and groups whose name contains the text, in any case, by name', async () => {
      const res = await h.api('GET', '/v1/directory?q=AL');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        users: [{ id: expect.any(String), username: 'alice' }],
        groups: [{ id: expect.any(String), name: 'alpha-team' }],
      });
    });

    it('takes % and _ literally, and refuses an empty text', async () => {
      // as wildcards they would match everyone
      expect((await h.api('GET', '/v1/directory?q=%25')).body).toEqual({ users: [], groups: [] });
      expect((await h.api('GET', '/v1/directory?q=_')).body).toEqual({ users: [], groups: [] });
      const empty = await h.api<{ code: string }>('GET', '/v1/directory?q=');
      expect(empty.status).toBe(400);
      expect(empty.body.code).toBe('VALIDATION_FAILED');
    });
  });
}
