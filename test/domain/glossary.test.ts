import fs from 'node:fs';
import { expect, it } from 'vitest';

/** docs/glossary.md: one definition per word the project uses, and per table the store has. */
const glossary = fs.readFileSync('docs/glossary.md', 'utf8');

it('defines every table of the schema', () => {
  const schema = fs.readFileSync('src/store/schema/sqlite.sql', 'utf8');
  const tables = [...schema.matchAll(/^CREATE TABLE "([a-z_]+)"/gm)].map((m) => m[1]!);
  expect(tables.length).toBeGreaterThan(20);
  expect(tables.filter((t) => !glossary.includes(`\`${t}\``))).toEqual([]);
});

it('defines the words of procedures and evidence', () => {
  const defined = [...glossary.matchAll(/^\| \*\*([^*]+)\*\* \|/gm)].map((m) => m[1]);
  for (const word of [
    'procedure',
    'human-run record',
    'step',
    'attachment',
    'evidence',
    'checkpoint',
    'step-result audit',
    'task run',
    'duration',
  ])
    expect(defined, word).toContain(word);
});
