import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every code a user can see, read from the source: error classes, problem answers, task failures. */
function codesInSource(): Set<string> {
  const patterns = [
    /\bcode(?:: string)? = '([A-Za-z_]+)'/g,
    /\bcode: '([A-Z][A-Z_]+)'/g,
    /sendProblem\(reply, request, \d+, '([A-Z_]+)'/g,
    /TaskExecutionError\(\s*'([A-Z_]+)'/g,
    /failure\(\s*'[a-z]+',\s*'([A-Za-z_]+)'/g,
    /ApiError\([^)]*?'([A-Z_]{4,})'/g,
    /: '(TASK_ERROR)'/g,
  ];
  const codes = new Set<string>();
  for (const file of sources('src')) {
    const text = fs.readFileSync(file, 'utf8');
    for (const pattern of patterns) for (const m of text.matchAll(pattern)) codes.add(m[1]!);
  }
  return codes;
}

it('documents every error code in docs/errors.md', () => {
  const doc = fs.readFileSync('docs/errors.md', 'utf8');
  const codes = codesInSource();
  expect(codes.size).toBeGreaterThan(30);
  const undocumented = [...codes].filter((c) => !doc.includes(`\`${c}\``));
  expect(undocumented).toEqual([]);
});
