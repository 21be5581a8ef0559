import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/client/types.ts';
import type { RecordStep } from '../../src/cli/record-steps.ts';
import { describeAuditEvent } from '../../src/cli/render/audit-view.ts';
import { waitFor } from '../support/wait-for.ts';
import { startCliHarness, type CliHarness } from './cli-harness.ts';

/**
 * `execution inspect` of a human-run record reads as the whole record: steps in order with number,
 * description, status, who and when, notes and evidence; people, not ids or workers, as actors.
 */
const PROCEDURE = `id: check_dashboard
name: Check the dashboard
tasks:
  - id: look
    type: manual
    with: { description: "Open the dashboard and look at the error rate." }
  - id: screenshot
    type: manual
    needs: [look]
    with: { description: "Attach a screenshot of the health panel." }
`;

let h: CliHarness;
let id: string;

beforeAll(async () => {
  h = await startCliHarness('runledger-record-inspect-');
  fs.writeFileSync(path.join(h.tmp, 'check.yaml'), PROCEDURE);
  fs.writeFileSync(path.join(h.tmp, 'panel.txt'), 'all green\n');
  expect((await h.run(['workflow', 'apply', 'check.yaml'])).code).toBe(0);
  id = (await h.client.records.startProcedure('check_dashboard', {})).executionId;
  const waiting = (step: string) =>
    waitFor(
      async () => ((await h.client.getExecution(id)).taskRuns.some((r) => r.taskId === step && r.status === 'waiting') ? true : undefined),
      step,
    );
  await waiting('look');
  expect((await h.run(['step', 'complete', id, 'look', '--notes', 'error rate flat'])).code).toBe(0);
  await waiting('screenshot');
  expect((await h.run(['step', 'attach', id, 'screenshot', 'panel.txt'])).code).toBe(0);
  expect((await h.run(['step', 'add', id, '--description', 'Tell the on-call channel'])).code).toBe(0);
  expect((await h.run(['step', 'complete', id, 'screenshot'])).code).toBe(0);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('execution inspect of a human-run record', () => {
  it('shows every step with its number, description, status, who and when, notes and attachments', async () => {
    const result = await h.run(['execution', 'inspect', id]);
    expect(result.stderr).toBe('');
    const steps = result.stdout.slice(result.stdout.indexOf('Steps\n'), result.stdout.indexOf('\n\nTASK'));
    expect(steps).toMatch(
      new RegExp(
        [
          'Steps',
          ' 1\\. look \\(manual\\) succeeded by admin at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ',
          '    Open the dashboard and look at the error rate\\.',
          '    notes: error rate flat',
          ' 2\\. screenshot \\(manual\\) succeeded by admin at \\S+ \\S+Z',
          '    Attach a screenshot of the health panel\\.',
          '    attachments: panel\\.txt \\(10 B\\)',
          ' 3\\. extra_1 \\(manual\\) waiting',
          '    Tell the on-call channel',
        ].join('\n'),
      ),
    );
    // the person by name, never a user id
    expect(result.stdout).toMatch(/^ {2}completed by: admin$/m);
    expect(result.stdout).not.toMatch(/completed by: [0-9a-f]{8}-/);
  });

  it('gives the same steps in --json', async () => {
    const json = JSON.parse((await h.run(['execution', 'inspect', id, '--json'])).stdout) as { steps: RecordStep[] };
    expect(
      json.steps.map((s) => [s.number, s.taskId, s.status, s.completedBy, s.notes, s.attachments.map((a) => [a.fileName, a.sizeBytes])]),
    ).toEqual([
      [1, 'look', 'succeeded', 'admin', 'error rate flat', []],
      [2, 'screenshot', 'succeeded', 'admin', null, [['panel.txt', 10]]],
      [3, 'extra_1', 'waiting', null, null, []],
    ]);
    expect(json.steps[0]).toMatchObject({ description: 'Open the dashboard and look at the error rate.', completedAt: expect.any(String) });
  });

  it('names the step and attempt in audit details, and the person in the step-result audit', async () => {
    const result = await h.run(['execution', 'inspect', id, '--audit']);
    expect(result.stdout).toMatch(/ATTACHMENT_ADDED +admin \(token\) +task screenshot#1 panel\.txt \(10 B\)$/m);
    expect(result.stdout).not.toContain('#?');
    expect(result.stdout).toMatch(/^TASK RUN +RECORDED AT +RECORDED BY /m);
    expect(result.stdout).toMatch(/^look#1 +\S+ \S+Z +admin +/m);
    const audit = await h.client.audit.getExecutionStepResults(id);
    expect(audit.map((a) => [a.stepName, a.workerId, a.recordedBy])).toEqual([
      ['look', null, 'admin'],
      ['screenshot', null, 'admin'],
    ]);
  });
});

describe('describeAuditEvent', () => {
  const event = (metadata: Record<string, unknown>): AuditEvent => ({ metadata, eventType: 'STATE_CHANGE' }) as unknown as AuditEvent;

  it('says a reason once when it only repeats the code', () => {
    expect(
      describeAuditEvent(event({ taskId: 'a', attempt: 2, from: 'running', to: 'failed', code: 'LEASE_EXPIRED', reason: 'LEASE_EXPIRED' })),
    ).toBe('task a#2 running->failed (LEASE_EXPIRED)');
  });

  it('finds the attempt of a step event through its task run, and leaves it out when unknown', () => {
    const runs = [{ id: 'r1', attempt: 3 }] as never;
    expect(describeAuditEvent(event({ taskId: 'check', taskRunId: 'r1' }), runs)).toBe('task check#3');
    expect(describeAuditEvent(event({ taskId: 'check', taskRunId: 'r9' }))).toBe('task check');
  });
});
