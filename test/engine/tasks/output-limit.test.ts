import { describe, expect, it } from 'vitest';
import { OutputLimit, OutputTail } from '../../../src/engine/tasks/output-limit.ts';

describe('OutputLimit', () => {
  it('admits whole lines until the budget is spent, then reports once and counts what it drops', () => {
    let reached = 0;
    const limit = new OutputLimit(() => reached++, 10);
    expect(limit.admit('abcd')).toBe(true); // 5 bytes with its newline
    expect(limit.admit('é')).toBe(true); // 2 bytes + newline = 3; 8 used
    expect(limit.admit('xy')).toBe(false); // 3 more would be 11
    expect(limit.admit('z')).toBe(false); // fits, but the limit was reached: output stays a prefix
    expect(reached).toBe(1);
    expect(limit.droppedBytes).toBe(5);
  });
});

describe('OutputTail', () => {
  it('keeps everything under its bound, without a marker', () => {
    const tail = new OutputTail(100);
    tail.add('a');
    tail.add('b');
    expect(tail.text()).toBe('a\nb');
  });

  it('keeps the last lines within its bound and says how many bytes it forgot', () => {
    const tail = new OutputTail(10);
    for (const line of ['1111', '2222', '3333', '44']) tail.add(line);
    // 4 lines cost 5+5+5+3 = 18 bytes; dropping the first two leaves 8.
    expect(tail.text()).toBe('[truncated 10 bytes]\n3333\n44');
  });

  it('stays correct across its internal compaction', () => {
    const tail = new OutputTail(4);
    for (let i = 0; i < 5000; i++) tail.add(String(i % 10));
    expect(tail.text()).toBe(`[truncated ${4998 * 2} bytes]\n8\n9`);
  });
});
