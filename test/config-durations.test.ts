import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { MAX_TIMER_MS } from '../src/domain/duration.ts';
import { ValidationError } from '../src/domain/errors.ts';
import { longTimeout } from '../src/engine/long-timeout.ts';
import { createHarness } from './support/harness.ts';
import { describeEachDialect, tempDir } from './support/stores.ts';

const BIN = path.resolve(import.meta.dirname, '../bin/runledger.js');

/** Every duration setting, and a value within its own range. */
const DURATION_SETTINGS: Record<string, string> = {
  RUNLEDGER_JWT_TTL: '12h',
  RUNLEDGER_SESSION_TTL: '12h',
  RUNLEDGER_LOGIN_LOCKOUT: '15m',
  RUNLEDGER_AUDIT_CHECKPOINT_INTERVAL: '1h',
  RUNLEDGER_LEASE_DURATION: '30s',
  RUNLEDGER_DRAIN_TIMEOUT: '30s',
  RUNLEDGER_WORKER_POLL_INTERVAL: '1s',
  ATTACHMENT_URL_TTL: '5m',
};

it('refuses every duration setting past what a timer holds, by name, and takes one just within it', () => {
  for (const name of Object.keys(DURATION_SETTINGS)) {
    for (const value of ['1000d', '25d', `${MAX_TIMER_MS + 1}ms`, '300000000d']) {
      let error: unknown;
      try {
        loadConfig({ [name]: value });
      } catch (e: unknown) {
        error = e;
      }
      expect(error, `${name}=${value}`).toBeInstanceOf(ValidationError);
      expect((error as Error).message, `${name}=${value}`).toMatch(new RegExp(`${name}: must be a duration from .* to `));
    }
  }
  const longest = loadConfig({
    RUNLEDGER_AUDIT_CHECKPOINT_INTERVAL: `${MAX_TIMER_MS}ms`,
    RUNLEDGER_JWT_TTL: '24d',
    RUNLEDGER_LOGIN_LOCKOUT: '24d',
  });
  expect(longest.auditCheckpointIntervalMs).toBe(MAX_TIMER_MS);
  expect(longest.loginLockoutMs).toBe(24 * 86_400_000);
  for (const [name, value] of Object.entries(DURATION_SETTINGS)) expect(() => loadConfig({ [name]: value }), name).not.toThrow();
});

it('refuses the checkpoint interval that ran continuously at start: one line, exit 1, nothing opened', async () => {
  const dir = tempDir();
  try {
    const run = await promisify(execFile)(process.execPath, [BIN, 'serve', '--port', '0'], {
      env: { PATH: process.env.PATH, HOME: dir, RUNLEDGER_DATA_DIR: path.join(dir, 'data'), RUNLEDGER_AUDIT_CHECKPOINT_INTERVAL: '1000d' },
      timeout: 30_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/RUNLEDGER_AUDIT_CHECKPOINT_INTERVAL: must be a duration from 1s to 24d 20h 31m 23s/);
    expect(fs.existsSync(path.join(dir, 'data', 'runledger.db'))).toBe(false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it('holds a task timeout longer than one timer can', async () => {
  const fired: number[] = [];
  const long = longTimeout(() => fired.push(1), 30 * 86_400_000);
  const short = longTimeout(() => fired.push(2), 20);
  await new Promise((resolve) => setTimeout(resolve, 100));
  long.clear();
  short.clear();
  expect(fired).toEqual([2]);
});

describeEachDialect('a definition timeout longer than one timer', (dialect) => {
  it('does not end the task at once', async () => {
    const h = await createHarness(dialect);
    try {
      await h.apply({
        id: 'patient',
        name: 'Patient',
        tasks: [{ id: 'wait', type: 'sleep', timeout: '30d', with: { duration: '200ms' } }],
      });
      const e = await h.runToEnd('patient');
      expect(e.status).toBe('completed');
      expect(e.taskRuns[0]?.status).toBe('succeeded');
    } finally {
      await h.dispose();
    }
  });
});
