import { describe, expect, it } from 'vitest';
import {
  EMPTY_WINDOW,
  appendLines,
  highlightParts,
  indexOfSeq,
  levelFilterFromParam,
  levelFilterToParam,
  levelsOf,
  lineFromHash,
  prependLines,
  rowOffsets,
  visibleRows,
  type LevelFilter,
  type WindowLine,
} from '../../web/src/lib/log-window.ts';

const line = (seq: number): WindowLine => ({
  seq,
  taskRunId: null,
  ts: '2026-01-01T00:00:00.000Z',
  level: 'INFO',
  source: 's',
  message: `m${seq}`,
});
const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => line(from + i));

describe('log window', () => {
  it('grows at either edge without duplicates and keeps the edge flags', () => {
    let w = appendLines(EMPTY_WINDOW, lines(100, 199), true);
    expect(w).toMatchObject({ atStart: true, atEnd: false });
    w = { ...w, atStart: false };
    w = prependLines(w, lines(50, 120), true);
    expect(w.lines.map((l) => l.seq)).toEqual(lines(50, 199).map((l) => l.seq));
    expect(w.atStart).toBe(false);
    w = prependLines(w, lines(1, 49), false);
    expect(w.atStart).toBe(true);
    w = appendLines(w, lines(150, 260), false);
    expect(w.lines.at(-1)!.seq).toBe(260);
    expect(new Set(w.lines.map((l) => l.seq)).size).toBe(w.lines.length);
    expect(w.atEnd).toBe(true);
  });

  it('stays under its cap by dropping the far side, which can then be loaded again', () => {
    let w = appendLines(EMPTY_WINDOW, lines(1, 1000), true, 1500);
    w = appendLines(w, lines(1001, 2000), true, 1500);
    expect(w.lines).toHaveLength(1500);
    expect(w.lines[0]!.seq).toBe(501);
    expect(w.atStart).toBe(false);
    w = prependLines(w, lines(1, 500), false, 1500);
    expect(w.lines[0]!.seq).toBe(1);
    expect(w.lines.at(-1)!.seq).toBe(1500);
    expect(w).toMatchObject({ atStart: true, atEnd: false });
  });

  it('finds a seq by binary search, or where it would be', () => {
    const ls = [line(2), line(5), line(9)];
    expect([1, 2, 3, 5, 9, 10].map((s) => indexOfSeq(ls, s))).toEqual([0, 0, 1, 1, 2, 3]);
  });

  it('computes row offsets from measured heights and shows only the rows on screen', () => {
    const ls = lines(1, 1000);
    const offsets = rowOffsets(ls, new Map([[3, 60]]), 20);
    expect(offsets.slice(0, 5)).toEqual([0, 20, 40, 100, 120]);
    expect(offsets.at(-1)).toBe(999 * 20 + 60);
    // 600 px of 20 px rows at scrollTop 10 000: about 30 rows plus the overscan, never the thousand
    const [start, end] = visibleRows(offsets, 10_000, 600, 10);
    expect(start).toBe(488);
    expect(end).toBe(538);
    expect(visibleRows([0], 0, 600)).toEqual([0, 0]);
    expect(visibleRows(offsets, 0, 600, 0)).toEqual([0, 28]);
  });

  it('means what people expect by a level filter: at or above, exactly, a set', () => {
    const cases: [LevelFilter, string[] | undefined, string | undefined][] = [
      [{ kind: 'all' }, undefined, undefined],
      [{ kind: 'atLeast', level: 'WARN' }, ['WARN', 'ERROR'], 'WARN+'],
      [{ kind: 'exact', level: 'INFO' }, ['INFO'], '=INFO'],
      [{ kind: 'set', levels: ['ERROR', 'DEBUG'] }, ['DEBUG', 'ERROR'], 'ERROR,DEBUG'],
    ];
    for (const [filter, levels, param] of cases) {
      expect(levelsOf(filter)).toEqual(levels);
      expect(levelFilterToParam(filter)).toBe(param);
      expect(levelFilterFromParam(param)).toEqual(filter);
    }
    expect(levelFilterFromParam('warn+')).toEqual({ kind: 'atLeast', level: 'WARN' });
    expect(levelFilterFromParam('LOUD')).toEqual({ kind: 'all' });
  });

  it('splits text around case-insensitive matches for highlighting', () => {
    expect(highlightParts('A needle, a NEEDLE.', 'needle')).toEqual([
      { text: 'A ', match: false },
      { text: 'needle', match: true },
      { text: ', a ', match: false },
      { text: 'NEEDLE', match: true },
      { text: '.', match: false },
    ]);
    expect(highlightParts('nothing', '')).toEqual([{ text: 'nothing', match: false }]);
    expect(highlightParts('aaa', 'aa')).toEqual([
      { text: 'aa', match: true },
      { text: 'a', match: false },
    ]);
  });

  it('reads a line link', () => {
    expect(lineFromHash('#L123')).toBe(123);
    expect(lineFromHash('#L')).toBeUndefined();
    expect(lineFromHash('#L1e3')).toBeUndefined();
    expect(lineFromHash('')).toBeUndefined();
  });
});
