import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliHarness, type CliHarness } from './cli-harness.ts';

/** `execution list --since/--until`: the durations `execution logs --since` takes; errors name the flag. */
let h: CliHarness;
let executionId: string;

beforeAll(async () => {
  h = await startCliHarness('runledger-list-filters-');
  fs.writeFileSync(path.join(h.tmp, 'quick.yaml'), 'id: quick\nname: Quick\ntasks:\n  - { id: say, type: log, with: { message: hi } }\n');
  expect((await h.run(['workflow', 'apply', 'quick.yaml'])).code).toBe(0);
  executionId = (await h.client.runWorkflow('quick', {})).executionId;
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('execution list --since / --until', () => {
  it('takes a duration ago, as execution logs --since does', async () => {
    const lastDay = await h.run(['execution', 'list', '--since', '1d', '--json']);
    expect(lastDay.stderr).toBe('');
    expect((JSON.parse(lastDay.stdout) as { items: { id: string }[] }).items.map((e) => e.id)).toEqual([executionId]);
    const beforeAnHourAgo = await h.run(['execution', 'list', '--until', '1h', '--json']);
    expect((JSON.parse(beforeAnHourAgo.stdout) as { items: unknown[] }).items).toEqual([]);
    const count = await h.run(['execution', 'list', '--since', '1h30m', '--count']);
    expect(count.stdout.trim()).toBe('1');
  });

  it('still takes an ISO-8601 date or timestamp', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const result = await h.run(['execution', 'list', '--since', today, '--json']);
    expect((JSON.parse(result.stdout) as { items: { id: string }[] }).items.map((e) => e.id)).toEqual([executionId]);
  });

  it('refuses anything else in one line that names the flag', async () => {
    const result = await h.run(['execution', 'list', '--since', 'yesterday']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^runledger: option '--since <when>' argument 'yesterday' is invalid\. expected a duration/);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('names the CLI flag, never the API parameter, when the server refuses a value', async () => {
    for (const args of [
      ['--status', 'bogus'],
      ['--limit', '500'],
      ['--cursor', 'xyz'],
    ]) {
      const result = await h.run(['execution', 'list', ...args]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^runledger: ${args[0]}: `));
      expect(result.stderr).not.toMatch(/querystring/);
    }
  });
});
