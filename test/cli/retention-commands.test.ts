import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunledgerClient } from '../../src/client/runledger-client.ts';
import type { CleanupReport, ExecutionSummary, Page, RetentionStats } from '../../src/client/types.ts';
import { startCliHarness, type CliHarness, type CliRun, type RunOptions } from './cli-harness.ts';

/**
 * `runledger logs stats | cleanup` and the filters of `execution list` (`--keyword`, `--input`,
 * `--count`) through `main()` in process against a real server.
 */
const DAY_MS = 86_400_000;
const MEMBER_PASSWORD = 'member password 1';

const DEPLOY = `id: deploy
name: Deploy
inputs:
  server: { type: string }
tasks:
  - id: say
    type: shell
    with: { command: "echo 'deploying {{ inputs.server }}'; echo done" }
`;

let harness: CliHarness;
/** Executions by title: web-01 twice (one ended 40 days ago), db-01 once. */
const ids: Record<string, string> = {};

function run(args: string[], options?: RunOptions): Promise<CliRun> {
  return harness.run(args, options);
}

async function runToEnd(title: string, server: string): Promise<string> {
  const { executionId } = await harness.client.runWorkflow('deploy', { title, inputs: { server } });
  await harness.client.waitForExecution(executionId, { pollMs: 50, timeoutMs: 10_000 });
  return executionId;
}

async function logLineCount(id: string): Promise<number> {
  const row = await harness.server.store.db
    .selectFrom('execution_logs')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('execution_id', '=', id)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function untilLogged(id: string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const n = await logLineCount(id);
    if (n > 0) return n;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`execution ${id} wrote no log lines`);
}

function listedTitles(stdout: string): string[] {
  return (JSON.parse(stdout) as Page<ExecutionSummary>).items.map((e) => e.title ?? '').sort();
}

beforeAll(async () => {
  harness = await startCliHarness('runledger-retention-');
  await harness.client.applyWorkflow(DEPLOY, 'yaml');
  ids.old = await runToEnd('old deploy of web', 'web-01');
  ids.web = await runToEnd('Hotfix for web', 'web-01');
  ids.db = await runToEnd('routine db deploy', 'db-01');
  for (const id of Object.values(ids)) await untilLogged(id);
  await harness.server.store.db
    .updateTable('executions')
    .set({ completed_at: new Date(Date.now() - 40 * DAY_MS).toISOString() })
    .where('id', '=', ids.old)
    .execute();
}, 30_000);

afterAll(async () => {
  await harness?.close();
});

describe('runledger logs stats', () => {
  it('prints the policy, the tables, executions by status and the oldest records (admin)', async () => {
    const res = await run(['logs', 'stats']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Log lines kept\s+30 days after an execution ended$/m);
    expect(res.stdout).toMatch(/^Audit kept\s+365 days after an execution ended$/m);
    expect(res.stdout).toMatch(/^Records kept\s+indefinitely \(RUNLEDGER_RECORD_RETENTION_DAYS is not set\)$/m);
    expect(res.stdout).toMatch(/^TABLE\s+ROWS\s+SIZE$/m);
    expect(res.stdout).toMatch(/^executions\s+3\s+(\d+(\.\d)? (B|KiB|MiB|GiB)|-)$/m);
    expect(res.stdout).toMatch(/^execution_logs\s+[1-9][\d,]*\s+\S+/m);
    expect(res.stdout).toMatch(/^STATUS\s+EXECUTIONS$/m);
    expect(res.stdout).toMatch(/^completed\s+3$/m);
    expect(res.stdout).toMatch(/^Oldest execution\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/m);

    const json = JSON.parse((await run(['logs', 'stats', '--json'])).stdout) as RetentionStats;
    expect(json.policy).toEqual({ logDays: 30, auditDays: 365, recordDays: null });
    expect(json.executionsByStatus).toEqual({ completed: 3 });
    expect(json.tables.find((t) => t.table === 'executions')).toMatchObject({ rows: 3 });
  });

  it('refuses a member with one line, exit 1', async () => {
    await harness.client.admin.createUser({ username: 'mia', password: MEMBER_PASSWORD });
    const { token } = await new RunledgerClient({ server: harness.server.url }).login('mia', MEMBER_PASSWORD);
    const env = { RUNLEDGER_SERVER: harness.server.url, RUNLEDGER_TOKEN: token, RUNLEDGER_DATA_DIR: path.join(harness.tmp, 'none') };
    for (const args of [
      ['logs', 'stats'],
      ['logs', 'cleanup', '--dry-run'],
    ]) {
      const res = await run(args, { env });
      expect(res).toMatchObject({ code: 1, stdout: '' });
      expect(res.stderr).toMatch(/^runledger: .*\(FORBIDDEN\)\n$/);
    }
  });
});

describe('runledger logs cleanup', () => {
  it('--dry-run reports and deletes nothing; then cleanup deletes the old log lines only', async () => {
    const oldLines = await logLineCount(ids.old!);
    const webLines = await logLineCount(ids.web!);

    const dry = await run(['logs', 'cleanup', '--dry-run']);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^Dry run: nothing was deleted\.$/m);
    expect(dry.stdout).toMatch(new RegExp(`^Log lines\\s+${oldLines} would be deleted$`, 'm'));
    expect(dry.stdout).toMatch(/^Audit\s+0 chains, 0 events would be purged$/m);
    expect(dry.stdout).toMatch(/^\s+cutoff\s+executions that ended before \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/m);
    const dryJson = JSON.parse((await run(['logs', 'cleanup', '--dry-run', '--json'])).stdout) as CleanupReport;
    expect(dryJson).toMatchObject({ dryRun: true, logLines: { deleted: oldLines }, audit: { chains: 0, events: 0 } });
    // on a terminal a status line on stderr while the request runs, erased when it answers
    const onTty = await run(['logs', 'cleanup', '--dry-run'], { tty: true });
    expect(onTty.stderr).toBe('\r\x1b[Kcounting…\r\x1b[K');
    // The same report (its cutoffs are computed from the time of each run, so a second may tick between them).
    const withoutCutoffTimes = (text: string) => text.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ/g, '<time>');
    expect(withoutCutoffTimes(onTty.stdout)).toBe(withoutCutoffTimes(dry.stdout));
    expect(Date.now() - Date.parse(dryJson.logLines.before)).toBeGreaterThan(29 * DAY_MS);
    expect(await logLineCount(ids.old!)).toBe(oldLines);

    // --days 50: the execution that ended 40 days ago is still kept
    const kept = JSON.parse((await run(['logs', 'cleanup', '--days', '50', '--json'])).stdout) as CleanupReport;
    expect(kept).toMatchObject({ dryRun: false, logLines: { deleted: 0 } });
    expect(await logLineCount(ids.old!)).toBe(oldLines);

    const done = await run(['logs', 'cleanup', '--status', 'completed']);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(done.stdout).not.toMatch(/Dry run/);
    expect(done.stdout).toMatch(new RegExp(`^Log lines\\s+${oldLines} were deleted$`, 'm'));
    expect(await logLineCount(ids.old!)).toBe(0);
    expect(await logLineCount(ids.web!)).toBe(webLines);

    // --days 0: every execution that has ended, tried first with --dry-run
    const everything = JSON.parse((await run(['logs', 'cleanup', '--days', '0', '--dry-run', '--json'])).stdout) as CleanupReport;
    const ended = Object.values(ids).filter((id) => id !== ids.old);
    let lines = 0;
    for (const id of ended) lines += await logLineCount(id);
    expect(lines).toBeGreaterThan(0);
    expect(everything).toMatchObject({ dryRun: true, logLines: { deleted: lines } });
    expect(Date.now() - Date.parse(everything.logLines.before)).toBeLessThan(60_000);
    expect(await logLineCount(ids.web!)).toBe(webLines);
  });

  it('refuses a bad --days or --status with one line, exit 1', async () => {
    expect(await run(['logs', 'cleanup', '--days', '-1'])).toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(/^runledger: .*--days.*\n$/),
    });
    expect(await run(['logs', 'cleanup', '--status', 'running'])).toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(/^runledger: .*expected one of completed, failed, cancelled, timed_out\n$/),
    });
  });
});

describe('runledger execution list --input, --keyword, --count', () => {
  it('filters by input values and by keyword', async () => {
    expect(listedTitles((await run(['execution', 'list', '--input', 'server=web-01', '--json'])).stdout)).toEqual([
      'Hotfix for web',
      'old deploy of web',
    ]);
    expect(listedTitles((await run(['execution', 'list', '--input', 'server=db-01', '--json'])).stdout)).toEqual(['routine db deploy']);
    expect(listedTitles((await run(['execution', 'list', '--keyword', 'hotfix', '--json'])).stdout)).toEqual(['Hotfix for web']);
    expect(listedTitles((await run(['execution', 'list', '--keyword', 'deploy', '--input', 'server=web-01', '--json'])).stdout)).toEqual([
      'old deploy of web',
    ]);
    const table = await run(['execution', 'list', '--input', 'server=db-01']);
    expect(table.code).toBe(0);
    expect(table.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(table.stdout).toContain(ids.db);
    expect((await run(['execution', 'list', '--input', 'server=nowhere'])).stdout).toBe('No executions match.\n');
  });

  it('--count prints only the number', async () => {
    expect(await run(['execution', 'list', '--count'])).toEqual({ code: 0, stdout: '3\n', stderr: '' });
    expect(await run(['execution', 'list', '--count', '--input', 'server=web-01'])).toEqual({ code: 0, stdout: '2\n', stderr: '' });
    expect(await run(['execution', 'list', '--count', '--keyword', 'HOTFIX', '--input', 'server=web-01'])).toEqual({
      code: 0,
      stdout: '1\n',
      stderr: '',
    });
    expect(JSON.parse((await run(['execution', 'list', '--count', '--workflow', 'deploy', '--json'])).stdout)).toEqual({ count: 3 });
  });

  it('refuses a malformed --input with one line, exit 1', async () => {
    for (const bad of ['server', '=web-01', 'Server=web-01']) {
      const res = await run(['execution', 'list', '--input', bad]);
      expect(res).toMatchObject({ code: 1, stdout: '' });
      expect(res.stderr).toMatch(/^runledger: .*--input.*expected NAME=VALUE.*\n$/);
      expect(res.stderr.split('\n')).toHaveLength(2);
    }
  });
});
