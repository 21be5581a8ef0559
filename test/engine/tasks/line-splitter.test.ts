import { describe, expect, it } from 'vitest';
import { CONTINUED_PREFIX, LineSplitter, MAX_LINE_BYTES } from '../../../src/engine/tasks/line-splitter.ts';
import { Masker } from '../../../src/engine/masker.ts';

function split(chunks: Array<string | Buffer>, maxLineBytes?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line), maxLineBytes);
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

describe('LineSplitter', () => {
  it('splits a chunk into lines and keeps empty lines', () => {
    expect(split(['a\nb\n\nc\n'])).toEqual(['a', 'b', '', 'c']);
  });

  it('joins a line split across chunks', () => {
    expect(split(['he', 'llo\nwor', 'ld', '\n'])).toEqual(['hello', 'world']);
  });

  it('strips \\r\\n, also when the \\r and the \\n arrive in different chunks', () => {
    expect(split(['one\r\ntwo\r', '\nthree\r\n'])).toEqual(['one', 'two', 'three']);
  });

  it('keeps a lone \\r inside a line', () => {
    expect(split(['progress 1\rprogress 2\n'])).toEqual(['progress 1\rprogress 2']);
  });

  it('emits a final line without newline at end()', () => {
    expect(split(['first\nlast'])).toEqual(['first', 'last']);
    expect(split(['only'])).toEqual(['only']);
    expect(split([])).toEqual([]);
  });

  it('keeps a multi-byte character split across chunks whole', () => {
    const bytes = Buffer.from('né\n', 'utf8'); // é is two bytes
    expect(split([bytes.subarray(0, 2), bytes.subarray(2)])).toEqual(['né']);
  });

  it('cuts a line longer than 64 KiB into pieces marked as continued', () => {
    const long = 'x'.repeat(MAX_LINE_BYTES * 2 + 10);
    const lines = split([long.slice(0, 1000), long.slice(1000), '\nnext\n']);
    expect(lines).toEqual([
      'x'.repeat(MAX_LINE_BYTES),
      CONTINUED_PREFIX + 'x'.repeat(MAX_LINE_BYTES),
      CONTINUED_PREFIX + 'x'.repeat(10),
      'next',
    ]);
    expect(CONTINUED_PREFIX).toBe('[continued] ');
  });

  it('does not cut a line of exactly 64 KiB, with or without \\r\\n', () => {
    const exact = 'y'.repeat(MAX_LINE_BYTES);
    expect(split([exact + '\n'])).toEqual([exact]);
    expect(split([exact + '\r', '\n'])).toEqual([exact]);
  });

  it('cuts before a multi-byte character rather than through it', () => {
    // 6 ASCII bytes then € (3 bytes): an 8-byte cut would split the euro sign.
    expect(split(['abcdef€gh\n'], 8)).toEqual(['abcdef', CONTINUED_PREFIX + '€gh']);
  });

  it('cuts a too-long final line that has no newline', () => {
    expect(split(['abcdefghij'], 4)).toEqual(['abcd', '[continued] efgh', '[continued] ij']);
  });
});

describe('LineSplitter with a masker', () => {
  const secret = 'split-me-never-Q7';
  const masker = new Masker([secret, 'short-Ω-secret']);
  function splitMasked(chunks: Array<string | Buffer>, max = 64): string[] {
    const lines: string[] = [];
    const splitter = new LineSplitter(
      (line) => lines.push(masker.mask(line)),
      max,
      (bytes, cut) => masker.safeCut(bytes, cut),
    );
    for (const chunk of chunks) splitter.push(chunk);
    splitter.end();
    return lines;
  }

  it('never cuts a secret in two, wherever the cut would fall and however the chunks arrive', () => {
    for (let at = 40; at < 80; at++) {
      const line = `${'x'.repeat(at)}${secret}${'y'.repeat(20)}`;
      const whole = splitMasked([line]);
      const byteByByte = splitMasked([...Buffer.from(line)].map((b) => Buffer.from([b])));
      for (const lines of [whole, byteByByte]) {
        expect(lines.join('\n'), `secret at ${at}`).not.toMatch(/split-|me-never|never-Q7/);
        expect(lines.join('\n'), `secret at ${at}`).toContain('***');
        expect(lines.every((l) => Buffer.byteLength(l.replace(CONTINUED_PREFIX, '')) <= 64)).toBe(true);
      }
    }
  });

  it('keeps a secret of multi-byte characters whole and the text around it intact', () => {
    const line = `${'é'.repeat(30)}short-Ω-secret tail`;
    const lines = splitMasked([line]);
    expect(lines.join('').replace(new RegExp(CONTINUED_PREFIX.replace(/[[\]]/g, '\\$&'), 'g'), '')).toBe(`${'é'.repeat(30)}*** tail`);
  });
});
