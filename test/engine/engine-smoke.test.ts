import { afterEach, beforeEach, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

describeEachDialect('engine basics', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('runs a two-task workflow and records both task runs', async () => {
    await h.apply({
      id: 'hello',
      name: 'Hello',
      inputs: { name: { type: 'string', default: 'world' } },
      tasks: [
        { id: 'greet', type: 'shell', with: { command: 'echo "hello {{ inputs.name }}"' } },
        { id: 'announce', type: 'log', needs: ['greet'], with: { message: 'said {{ tasks.greet.output.stdout }}' } },
      ],
    });
    const e = await h.runToEnd('hello', { name: 'ada' });
    expect(e.status).toBe('completed');
    expect(e.taskRuns.map((r) => [r.taskId, r.status, r.attempt])).toEqual([
      ['greet', 'succeeded', 1],
      ['announce', 'succeeded', 1],
    ]);
    expect(e.taskRuns[0]?.output).toMatchObject({ exitCode: 0 });
    expect(String((e.taskRuns[0]?.output as { stdout: string }).stdout)).toContain('hello ada');
    expect(e.context?.tasks.announce?.output).toMatchObject({ message: expect.stringContaining('said hello ada') });
    expect(e.logEntryCount).toBeGreaterThan(3);
  });
});
