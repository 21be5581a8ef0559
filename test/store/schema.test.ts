import fs from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { dumpSchema } from '../../src/store/schema-dump.ts';
import { createTestStore, describeEachDialect, type TestStore } from '../support/stores.ts';

describeEachDialect('committed schema', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore(dialect);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it(`matches what a fresh migrate produces (npm run db:dump rewrites src/store/schema/${dialect}.sql)`, async () => {
    const committed = fs.readFileSync(`src/store/schema/${dialect}.sql`, 'utf8');
    expect(await dumpSchema(t.store)).toBe(committed);
  });
});
