import { describe, expect, it } from 'vitest';
import { partsOfHeldAppends, type HeldAppends } from '../../src/store/held-appends.ts';

const transition = (i: number) => ({
  id: `t${i}`,
  taskRunId: 'r',
  executionId: 'e',
  fromState: null,
  toState: 'pending' as const,
  metadata: {},
  createdAt: '2026-01-01T00:00:00.000Z',
});
const line = (i: number) => ({
  executionId: 'e',
  taskRunId: null,
  ts: '2026-01-01T00:00:00.000Z',
  level: 'INFO',
  source: 'scheduler',
  message: `${i}`,
});

describe('partsOfHeldAppends', () => {
  it('keeps what fits in one part', () => {
    const held: HeldAppends = {
      transitions: [transition(1), transition(2)],
      auditEvents: [],
      logLines: [line(1)],
      notifications: [['work', ['x']]],
      claimable: [{ id: 'r', at: '2026-01-01T00:00:00.000Z' }],
    };
    expect(partsOfHeldAppends(held)).toEqual([held]);
  });

  it('splits rows over parts within the budget, in order, with the wake-ups in the last part', () => {
    const held: HeldAppends = {
      transitions: Array.from({ length: 10 }, (_, i) => transition(i)),
      auditEvents: [],
      logLines: Array.from({ length: 5 }, (_, i) => line(i)),
      notifications: [['work', ['x']]],
      claimable: [],
    };
    // 7 parameters a transition, 10 a log line: at most 30 a part.
    const parts = partsOfHeldAppends(held, 30);
    expect(parts.map((p) => [p.transitions.length, p.logLines.length])).toEqual([
      [4, 0],
      [4, 0],
      [2, 1],
      [0, 3],
      [0, 1],
    ]);
    expect(parts.flatMap((p) => p.transitions.map((t) => t.id))).toEqual(held.transitions.map((t) => t.id));
    expect(parts.flatMap((p) => p.logLines.map((l) => l.message))).toEqual(['0', '1', '2', '3', '4']);
    expect(parts.map((p) => p.notifications.length)).toEqual([0, 0, 0, 0, 1]);
  });
});
