import Table from 'cli-table3';
import type { Colors } from './format.ts';

/** No borders: columns separated by two spaces, like `kubectl get`, so output reads well and greps well. */
const PLAIN_CHARS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

/** A table with a header row; the header is bold when colours are on. */
export function renderTable(head: readonly string[], rows: readonly (readonly string[])[], c: Colors): string {
  const table = new Table({
    head: head.map((h) => c.bold(h)),
    chars: PLAIN_CHARS,
    // cli-table3 would colour the header itself; colours are decided here (TTY and NO_COLOR) instead.
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const row of rows) table.push([...row]);
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '')
    .join('\n');
}

/** `Label   value` lines with the labels aligned. */
export function renderFields(fields: readonly (readonly [string, string])[], c: Colors): string {
  const width = Math.max(0, ...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${c.dim(label.padEnd(width))}  ${value}`).join('\n');
}
