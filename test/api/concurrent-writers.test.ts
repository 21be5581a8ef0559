import { afterEach, beforeEach, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

const WRITERS = 50;

/** Many writers of one resource at once: each answer is a 2xx, and the record reads as one after another. */
describeEachDialect('concurrent writers of one resource', (dialect) => {
  let h: Harness;
  let userIds: string[];
  beforeEach(async () => {
    h = await createHarness(dialect);
    userIds = [];
    for (let i = 0; i < 5; i++) {
      const res = await h.api<{ id: string }>('POST', '/v1/admin/users', {
        username: `user${i}`,
        password: 'user-password',
        role: 'member',
      });
      expect(res.status).toBe(201);
      userIds.push(res.body.id);
    }
  });
  afterEach(async () => {
    await h.dispose();
  });

  it(`serialise ${WRITERS} concurrent share changes of one execution: never a 5xx, every before is the last after`, async () => {
    await h.apply({ id: 'shared', name: 'Shared', tasks: [{ id: 'say', type: 'log', with: { message: 'hi' } }] });
    const id = (await h.runToEnd('shared')).id;
    const wanted = Array.from({ length: WRITERS }, (_, i) => ({
      scope: i % 7 === 0 ? ('private' as const) : ('shared' as const),
      users: Array.from({ length: 1 + (i % 5) }, (_, k) => `user${(i + k) % 5}`),
    }));
    const answers = await Promise.all(wanted.map((body) => h.api<{ code?: string }>('PUT', `/v1/executions/${id}/shares`, body)));
    expect(answers.map((a) => a.status)).toEqual(Array(WRITERS).fill(200));

    const events = await h.store.db
      .selectFrom('audit_events')
      .select(['metadata'])
      .where('execution_id', '=', id)
      .where('event_type', '=', 'SHARES_CHANGED')
      .orderBy('seq')
      .execute();
    type Side = { scope: string; users: Array<{ username: string }>; groups: unknown[] };
    const changes = events.map(
      (e) => (typeof e.metadata === 'string' ? JSON.parse(e.metadata) : e.metadata) as { before: Side; after: Side },
    );
    expect(changes).toHaveLength(WRITERS);
    expect(changes[0]!.before).toMatchObject({ scope: 'private', users: [] });
    for (let i = 1; i < changes.length; i++) expect(changes[i]!.before, `change ${i}`).toEqual(changes[i - 1]!.after);
    // what is stored now is exactly what the last change said, and one of the requests whole
    const now = (await h.api<{ scope: string; users: Array<{ username: string }> }>('GET', `/v1/executions/${id}/shares`)).body;
    expect(now).toMatchObject({ scope: changes.at(-1)!.after.scope, users: changes.at(-1)!.after.users });
    const asked = wanted.map((w) => `${w.scope}:${[...new Set(w.users)].sort().join(',')}`);
    expect(asked).toContain(
      `${now.scope}:${now.users
        .map((u) => u.username)
        .sort()
        .join(',')}`,
    );
    expect((await h.api<{ ok: boolean }>('GET', '/v1/audit/verify')).body.ok).toBe(true);
  });

  it(`lets ${WRITERS} concurrent adds of one group member all succeed, and records one`, async () => {
    const group = await h.api<{ id: string }>('POST', '/v1/admin/groups', { name: 'ops' });
    expect(group.status).toBe(201);
    const answers = await Promise.all(
      Array.from({ length: WRITERS }, (_, i) =>
        h.api<{ members: Array<{ id: string }> }>('PUT', `/v1/admin/groups/${group.body.id}/members/${userIds[i % 2]!}`),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(WRITERS).fill(200));
    const added = await h.store.db
      .selectFrom('audit_events')
      .select('metadata')
      .where('event_type', '=', 'GROUP_MEMBER_ADDED')
      .where('subject_id', '=', group.body.id)
      .execute();
    expect(added).toHaveLength(2);
    const last = await h.api<{ members: Array<{ id: string }> }>('PUT', `/v1/admin/groups/${group.body.id}/members/${userIds[0]!}`);
    expect(last.body.members.map((m) => m.id).sort()).toEqual([userIds[0], userIds[1]].sort());
  });
});
