import { displayWidth } from './display-width.ts';
import type { Colors } from './format.ts';

/** Between two columns: no borders, like `kubectl get`, so output reads well and greps well. */
const GAP = '  ';

/**
 * A table with a header row; the header is bold when colours are on. A cell with line breaks takes
 * several lines; trailing spaces are trimmed.
 */
export function renderTable(head: readonly string[], rows: readonly (readonly string[])[], c: Colors): string {
  const all = [head, ...rows].map((row) => row.map((cell) => cell.split('\n')));
  const columns = Math.max(...all.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(0, ...all.flatMap((row) => (row[i] ?? []).map(displayWidth))));
  const lines: string[] = [];
  all.forEach((row, r) => {
    const height = Math.max(1, ...row.map((cell) => cell.length));
    for (let l = 0; l < height; l++) {
      const text = widths
        .map((width, i) => {
          const part = row[i]?.[l] ?? '';
          return (r === 0 ? c.bold(part) : part) + ' '.repeat(width - displayWidth(part));
        })
        .join(GAP)
        .trimEnd();
      if (text !== '') lines.push(text);
    }
  });
  return lines.join('\n');
}

/** `Label   value` lines with the labels aligned. */
export function renderFields(fields: readonly (readonly [string, string])[], c: Colors): string {
  const width = Math.max(0, ...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${c.dim(label.padEnd(width))}  ${value}`).join('\n');
}
