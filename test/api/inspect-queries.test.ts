import type { RootOperationNode } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.ts';
import { DIALECTS } from '../support/stores.ts';

/**
 * What `runledger execution inspect --audit` asks of the server (the execution, its audit chain, all
 * its step results) must cost the same number of store queries for 3 tasks as for 60: no query per
 * task run anywhere on the path.
 */
const ROUTES = ['', '/audit', '/step-audit'] as const;

function fanOut(id: string, width: number) {
  return {
    id,
    name: id,
    tasks: [
      { id: 'start', type: 'log', with: { message: 'go' } },
      ...Array.from({ length: width }, (_, i) => ({ id: `t${i}`, type: 'log', needs: ['start'], with: { message: `task ${i}` } })),
    ],
  };
}

for (const dialect of DIALECTS) {
  describe(`inspecting an execution costs a fixed number of queries [${dialect}]`, () => {
    let h: Harness;
    let counting = false;
    const statements: string[] = [];
    const small: Record<string, number> = {};
    const large: Record<string, number> = {};
    let smallId = '';
    let largeId = '';

    beforeAll(async () => {
      h = await createHarness(dialect, {
        onApiQuery: (node: RootOperationNode) => {
          if (counting) statements.push(node.kind);
        },
      });
      smallId = (await h.runToEnd(await h.apply(fanOut('narrow', 2)))).id;
      largeId = (await h.runToEnd(await h.apply(fanOut('wide', 59)))).id;
    });
    afterAll(() => h?.dispose());

    async function countQueries(url: string): Promise<number> {
      statements.length = 0;
      counting = true;
      const res = await h.api('GET', url);
      counting = false;
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return statements.length;
    }

    it('runs both executions to the end with every task run recorded', async () => {
      const wide = await h.api<{ status: string; taskRuns: unknown[] }>('GET', `/v1/executions/${largeId}`);
      expect(wide.body.status).toBe('completed');
      expect(wide.body.taskRuns).toHaveLength(60);
      const steps = await h.api<{ items: { taskRunId: string }[] }>('GET', `/v1/executions/${largeId}/step-audit`);
      // every task run recorded at least its start and its end
      expect(new Set(steps.body.items.map((s) => s.taskRunId)).size).toBe(60);
    });

    it.each(ROUTES)('GET /v1/executions/:id%s: the same count for 3 and for 60 task runs', async (route) => {
      small[route] = await countQueries(`/v1/executions/${smallId}${route}`);
      large[route] = await countQueries(`/v1/executions/${largeId}${route}`);
      expect(small[route]).toBeGreaterThan(0);
      expect(large[route]).toBe(small[route]);
      // a handful: the access check, the rows, the reader's name or the audit-read event; the audit
      // route also verifies (the key's registration, the checkpoints, the record's rows: one query each)
      expect(large[route]).toBeLessThanOrEqual(route === '/audit' ? 20 : 12);
    });
  });
}
