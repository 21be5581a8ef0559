import fs from 'node:fs';
import { expect, it } from 'vitest';
import { WEB_API_TYPES, openApiDocument, webApiTypes } from '../../scripts/openapi-document.ts';

it('the web UI client is typed from the OpenAPI document the server serves (npm run gen:web-api after a schema change)', async () => {
  expect(fs.readFileSync(WEB_API_TYPES, 'utf8')).toBe(await webApiTypes());
});

it('every route of the document declares what it answers', async () => {
  const doc = (await openApiDocument()) as { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
  const missing: string[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const codes = Object.keys(operation.responses ?? {}).filter((c) => /^[23]/.test(c));
      if (codes.length === 0) missing.push(`${method.toUpperCase()} ${path}`);
    }
  }
  expect(missing).toEqual([]);
  expect(Object.keys(doc.paths).length).toBeGreaterThan(40);
});
