import { afterEach, beforeEach, expect, it } from 'vitest';
import { auditHash, canonicalJson } from '../../src/observe/audit-chain.ts';
import { recordAuditEvent } from '../../src/observe/audit-logger.ts';
import { createTestStore, describeEachDialect, type TestStore } from '../support/stores.ts';

it('serialises JSON canonically: sorted keys at every depth, undefined left out', () => {
  expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"e":2,"f":1}]},"b":1}');
  expect(canonicalJson(null)).toBe('null');
});

it('serialises as the chain has always hashed: the same text as the first definition, for any JSON', () => {
  // The definition events were hashed with since the first release: a stored chain verifies only
  // while every event serialises to the same text.
  const first = (value: unknown): string => {
    if (Array.isArray(value)) return `[${value.map(first).join(',')}]`;
    if (value && typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${first(v)}`).join(',')}}`;
    }
    return JSON.stringify(value ?? null);
  };
  const values: unknown[] = [
    {},
    [],
    [undefined, null, 0, '', false],
    { z: undefined, y: undefined },
    { b: undefined, a: 1 },
    { é: 1, e: 2, E: 3, '10': 4, '9': 5, '': 6, '\u{1F600}': 7, '\uFFFF': 8 },
    { quote: 'a"b\\c\n', nested: [{ y: [1, [2, { x: null }]], x: -0.5e-7 }], big: 1234567890123456 },
    { metadata: { from: 'pending', to: 'running', taskRunId: '01a2-…', fence: 3, error: { code: 'X', retryable: false } } },
  ];
  for (const value of values) expect(canonicalJson(value)).toBe(first(value));
});

describeEachDialect('audit chain', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore(dialect);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('keeps one contiguous, linked chain per subject under concurrent appends', async () => {
    const actor = { kind: 'system' as const, userId: null, username: null, role: null };
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.store.db
          .transaction()
          .execute((trx) =>
            recordAuditEvent(trx, { subjectType: i % 2 ? 'user' : 'group', subjectId: 's1', eventType: 'PING', actor, metadata: { i } }),
          ),
      ),
    );
    for (const subjectType of ['user', 'group']) {
      const rows = await t.store.db.selectFrom('audit_events').selectAll().where('subject_type', '=', subjectType).orderBy('seq').execute();
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      rows.forEach((row, i) => {
        expect(row.prev_hash).toBe(i === 0 ? null : rows[i - 1]!.hash);
        const content = {
          id: row.id,
          subjectType: row.subject_type,
          subjectId: row.subject_id,
          seq: row.seq,
          executionId: row.execution_id,
          eventType: row.event_type,
          actor: JSON.parse(String(typeof row.actor === 'string' ? row.actor : JSON.stringify(row.actor))),
          metadata: JSON.parse(String(typeof row.metadata === 'string' ? row.metadata : JSON.stringify(row.metadata))),
          createdAt: row.created_at,
        };
        expect(row.hash).toBe(auditHash(row.prev_hash, content));
      });
      const head = await t.store.db
        .selectFrom('audit_chain_heads')
        .selectAll()
        .where('subject_type', '=', subjectType)
        .executeTakeFirstOrThrow();
      expect(head).toMatchObject({ seq: 10, hash: rows.at(-1)!.hash });
    }
  });
});
