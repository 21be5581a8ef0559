import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttachmentCheck, AttachmentView, ProcedureStarted } from '../../src/client/record-types.ts';
import type { ExecutionDetail, ExecutionListItem, Page, TaskRunView } from '../../src/client/types.ts';
import { startCliHarness, type CliHarness, type CliRun } from './cli-harness.ts';

/**
 * The procedure walkthrough of docs/procedures.md through `runledger` (in process, real server on
 * SQLite, local evidence storage): apply, start, read the document, notes, evidence, steps, end,
 * search, download, delete, restore; and the user errors on the way.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const PROCEDURE = `id: restart_service
name: Restart a service
inputs:
  server: { type: string, required: true, description: "host to restart" }
  reason: { type: string, default: maintenance }
  api_token: { type: string, secret: true }
doc: |
  # Restart on {{ inputs.server }}
  Reason: {{ inputs.reason }}. Token: {{ inputs.api_token }}.
tasks:
  - id: check
    type: manual
    with: { description: "Check the dashboard and attach a screenshot." }
  - id: restart
    type: manual
    needs: [check]
    with: { description: "Restart the service." }
`;

let harness: CliHarness;
let run: CliHarness['run'];

/** A user error: exit 1, nothing on stdout, exactly one line `runledger: …` on stderr. */
function expectOneLineError(result: CliRun, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^runledger: /);
  expect(lines[0]).toMatch(pattern);
}

function ok(result: CliRun): string {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

async function waitFor(id: string, done: (e: ExecutionDetail) => boolean): Promise<ExecutionDetail> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const execution = await harness.client.getExecution(id);
    if (done(execution)) return execution;
    if (Date.now() > deadline) throw new Error(`execution ${id} did not get there: ${JSON.stringify(execution.taskRuns)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const waiting = (taskId: string) => (e: ExecutionDetail) => e.taskRuns.some((r) => r.taskId === taskId && r.status === 'waiting');

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .flatMap((d) => (d.isFile() ? [path.join(d.parentPath, d.name)] : []));
}

beforeAll(async () => {
  harness = await startCliHarness('runledger-procedure-cli-');
  run = harness.run;
  fs.writeFileSync(path.join(harness.tmp, 'restart.yaml'), PROCEDURE);
  ok(await run(['workflow', 'apply', 'restart.yaml']));
});

afterAll(async () => {
  await harness?.close();
});

describe('the procedure walkthrough', () => {
  it('starts a record, takes notes and evidence, completes it, finds it, downloads the evidence, deletes and restores it', async () => {
    const shown = ok(await run(['procedure', 'show', 'restart_service']));
    expect(shown).toMatch(/^Procedure\s+Restart a service \(restart_service\)$/m);
    expect(shown).toMatch(/^server\s+string\s+yes\s+-\s+host to restart$/m);
    expect(shown).toMatch(/^reason\s+string\s+no\s+maintenance$/m);
    expect(shown).toMatch(/^api_token \(secret\)\s+string\s+no\s+-$/m);
    expect(shown).toMatch(/^check\s+manual\s+pending\s+Check the dashboard and attach a screenshot\.$/m);
    expect(shown).toContain('# Restart on {{ inputs.server }}');

    // start: the id first, then the default title, the status and the steps
    const started = ok(await run(['procedure', 'start', 'restart_service', '--input', 'server=web-01', '-i', 'api_token=s3cr3t']));
    const lines = started.split('\n');
    const id = lines[0]!;
    expect(id).toMatch(UUID);
    const today = new Date().toISOString().slice(0, 10);
    expect(started).toMatch(new RegExp(`^Title\\s+Restart a service · ${today} · server=web-01$`, 'm'));
    expect(started).toMatch(/^Procedure\s+Restart a service \(restart_service version 1\)$/m);
    // the 202 answer may come before the record's runner marks it running
    expect(started).toMatch(/^Status\s+(pending|running)$/m);
    expect(started).toMatch(/^STEP\s+TYPE\s+STATUS\s+DESCRIPTION$/m);
    expect(started).toMatch(/^restart\s+manual\s+pending\s+Restart the service\.$/m);
    await waitFor(id, waiting('check'));

    // the rendered document: the values filled in, the secret masked
    const doc = ok(await run(['execution', 'document', id]));
    // values are Markdown-escaped literal text, so an input can never inject markup
    expect(doc).toBe('# Restart on web\\-01\nReason: maintenance. Token: \\*\\*\\*.\n');
    const docJson = JSON.parse(ok(await run(['execution', 'doc', id, '--json']))) as { markdown: string; html: string };
    expect(docJson.html).toContain('<h1>Restart on web-01</h1>');
    expect(ok(await run(['execution', 'document', id, '--html']))).toContain('<h1>Restart on web-01</h1>');

    // notes: a draft of the record, and a step's
    expect(ok(await run(['execution', 'update', id, '--notes', 'started after the alert', '--title', 'Restart web-01 (INC-42)']))).toBe(
      `execution ${id}: saved (running)\n`,
    );
    const stepNotes = ok(await run(['step', 'notes', id, 'check', '--notes', 'dashboard red']));
    expect(stepNotes).toMatch(new RegExp(`^step check \\(task run ${UUID.source.slice(1, -1)}\\): notes saved \\(waiting\\)\\n$`));

    // evidence: streamed, with a progress bar on a terminal only
    const bytes = randomBytes(300_000);
    fs.mkdirSync(path.join(harness.tmp, 'upload'));
    fs.writeFileSync(path.join(harness.tmp, 'upload', 'dashboard.bin'), bytes);
    const attached = await run(['step', 'attach', id, 'check', 'upload/dashboard.bin'], { tty: true });
    expect(attached.code, attached.stderr).toBe(0);
    const attachmentId = /^attachment (\S+): dashboard\.bin, 293\.0 KiB, application\/octet-stream, sha256 ([0-9a-f]{64})\n$/.exec(
      attached.stdout,
    );
    expect(attachmentId, attached.stdout).not.toBeNull();
    expect(attached.stderr).toMatch(/dashboard\.bin \[#{24}\] 100% {2}293\.0 KiB \/ 293\.0 KiB/);
    // the bar is cleared at the end, so the result starts on a clean line
    expect(attached.stderr.endsWith('\r\x1b[K')).toBe(true);
    const sha = attachmentId![2]!;
    expect(sha).toBe((await import('node:crypto')).createHash('sha256').update(bytes).digest('hex'));
    const second = await run(['step', 'attach', id, 'check', 'restart.yaml', '--json']);
    expect(second.stderr).toBe('');
    const yamlAttachment = JSON.parse(second.stdout) as AttachmentView;
    expect(yamlAttachment).toMatchObject({ executionId: id, fileName: 'restart.yaml', sizeBytes: PROCEDURE.length });

    // steps: complete, add one, complete the rest; the record cannot be completed while a step is open
    expect(ok(await run(['step', 'complete', id, 'check', '--notes', 'dashboard green after restart']))).toMatch(
      /^step check \(task run \S+\): succeeded\n$/,
    );
    const added = JSON.parse(ok(await run(['step', 'add', id, '--description', 'Tell the team', '--json']))) as TaskRunView;
    expect(added).toMatchObject({ taskId: 'extra_1', type: 'manual', status: 'waiting' });
    expectOneLineError(await run(['execution', 'update', id, '--complete']), /\(STEPS_OPEN\)$/);
    await waitFor(id, waiting('restart'));
    ok(await run(['step', 'complete', id, 'restart']));
    const told = JSON.parse(ok(await run(['step', 'complete', id, added.id, '--json']))) as TaskRunView;
    expect(told).toMatchObject({ id: added.id, status: 'succeeded' });
    expect(ok(await run(['execution', 'update', id, '--complete']))).toBe(`execution ${id}: completed\n`);
    expectOneLineError(await run(['step', 'notes', id, 'check', '--notes', 'too late']), /\(RECORD_ENDED\)$/);

    // find it later: by procedure, executor and input value
    const list = ok(await run(['execution', 'list', '--procedure', 'restart', '--executor', 'admin', '--input', 'server=web-01']));
    const rows = list.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^ID\s+TITLE\s+PROCEDURE\s+EXECUTOR\s+STATUS\s+STARTED$/);
    expect(rows.slice(1)).toHaveLength(1);
    expect(rows[1]).toMatch(
      new RegExp(`^${id}\\s+Restart web-01 \\(INC-42\\)\\s+Restart a service v1\\s+admin\\s+completed\\s+\\S+ \\S+Z$`),
    );
    const page = JSON.parse(ok(await run(['execution', 'list', '--procedure', 'restart_service', '--json']))) as Page<ExecutionListItem>;
    expect(page.items.map((e) => e.id)).toEqual([id]);
    expect(page.items[0]).toMatchObject({ workflowName: 'Restart a service', triggeredByUsername: 'admin', trigger: 'manual' });
    expect(ok(await run(['execution', 'list', '--executor', 'nobody']))).toBe('No executions match.\n');
    expect(ok(await run(['execution', 'list', '--procedure', 'restart', '--input', 'server=web-02']))).toBe('No executions match.\n');

    // the evidence: listed with its step, downloaded byte for byte, never overwriting without --force
    const listed = ok(await run(['attachment', 'list', id]));
    expect(listed).toMatch(/^ID\s+STEP\s+FILE\s+SIZE\s+TYPE\s+UPLOADED$/m);
    expect(listed).toMatch(
      new RegExp(`^${attachmentId![1]}\\s+check\\s+dashboard\\.bin\\s+293\\.0 KiB\\s+application/octet-stream\\s+`, 'm'),
    );
    expect(JSON.parse(ok(await run(['attachments', 'list', id, '--json'])))).toHaveLength(2);

    expect(ok(await run(['attachment', 'get', attachmentId![1]!]))).toBe(`saved dashboard.bin (293.0 KiB, sha256 ${sha})\n`);
    expect(fs.readFileSync(path.join(harness.tmp, 'dashboard.bin')).equals(bytes)).toBe(true);
    fs.writeFileSync(path.join(harness.tmp, 'dashboard.bin'), 'mine');
    expectOneLineError(await run(['attachment', 'get', attachmentId![1]!]), /^runledger: dashboard\.bin: file exists; pass --force/);
    expect(fs.readFileSync(path.join(harness.tmp, 'dashboard.bin'), 'utf8')).toBe('mine');
    ok(await run(['attachment', 'get', attachmentId![1]!, '--force']));
    expect(fs.readFileSync(path.join(harness.tmp, 'dashboard.bin')).equals(bytes)).toBe(true);
    fs.mkdirSync(path.join(harness.tmp, 'evidence'));
    const savedJson = JSON.parse(ok(await run(['attachment', 'get', attachmentId![1]!, '-o', 'evidence', '--json'])));
    expect(savedJson).toEqual({
      id: attachmentId![1],
      fileName: 'dashboard.bin',
      mediaType: 'application/octet-stream',
      sizeBytes: bytes.length,
      sha256: sha,
      path: path.join(harness.tmp, 'evidence', 'dashboard.bin'),
    });
    expect(ok(await run(['attachment', 'get', yamlAttachment.id, '-o', 'evidence/copy.yaml']))).toMatch(/^saved evidence\/copy\.yaml /);
    expect(fs.readFileSync(path.join(harness.tmp, 'evidence', 'copy.yaml'), 'utf8')).toBe(PROCEDURE);
    expect(fs.readdirSync(path.join(harness.tmp, 'evidence')).sort()).toEqual(['copy.yaml', 'dashboard.bin']);
    const url = JSON.parse(ok(await run(['attachment', 'url', yamlAttachment.id, '--json'])));
    expect(url).toEqual({ url: `${harness.server.url}/v1/attachments/${yamlAttachment.id}`, expiresAt: null });

    // storage matches the rows; an altered file is found, with exit code 1
    expect(ok(await run(['attachments', 'check']))).toBe('2 attachments checked: no problems\n');
    const stored = filesUnder(harness.dataDir).find((f) => path.basename(f) === yamlAttachment.id)!;
    fs.appendFileSync(stored, '# tampered\n');
    const check = await run(['attachments', 'check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toBe('');
    expect(check.stdout).toMatch(/^2 attachments checked: 1 problem\nPROBLEM\s+ATTACHMENT\s+EXECUTION\s+FILE\s+STORAGE KEY\n/);
    expect(check.stdout).toMatch(new RegExp(`^altered\\s+${yamlAttachment.id}\\s+${id}\\s+restart\\.yaml\\s+\\S+$`, 'm'));
    const checkJson = await run(['attachment', 'check', '--json']);
    expect(checkJson.code).toBe(1);
    const report = JSON.parse(checkJson.stdout) as AttachmentCheck;
    expect(report).toMatchObject({ ok: false, checked: 2, missing: [], orphans: [] });
    expect(report.altered).toEqual([
      expect.objectContaining({ id: yamlAttachment.id, expectedSha256: yamlAttachment.sha256, actualSizeBytes: PROCEDURE.length + 11 }),
    ]);
    fs.writeFileSync(stored, PROCEDURE);

    // delete, gone from the history; an admin finds it among the deleted and restores it
    expect(ok(await run(['execution', 'delete', id]))).toMatch(new RegExp(`^execution ${id}: deleted at \\S+ \\S+Z\\n$`));
    expectOneLineError(await run(['execution', 'inspect', id]), /\(EXECUTION_NOT_FOUND\)$/);
    expect(ok(await run(['execution', 'list', '--procedure', 'restart']))).toBe('No executions match.\n');
    const deleted = JSON.parse(ok(await run(['execution', 'list', '--deleted', '--json']))) as Page<ExecutionListItem>;
    expect(deleted.items.map((e) => e.id)).toContain(id);
    expect(ok(await run(['execution', 'restore', id]))).toBe(`execution ${id}: restored (completed)\n`);
    expect(ok(await run(['execution', 'inspect', id]))).toMatch(/^Title\s+Restart web-01 \(INC-42\)$/m);
  });

  it('prints JSON that parses for every command that changes a record', async () => {
    const started = JSON.parse(
      ok(await run(['procedure', 'start', 'restart_service', '--input', 'server=db-01', '--title', 'Fail drill', '--json'])),
    ) as ProcedureStarted;
    expect(started).toEqual({
      executionId: expect.stringMatching(UUID),
      status: expect.stringMatching(/^(pending|running)$/),
      title: 'Fail drill',
    });
    const id = started.executionId;
    await waitFor(id, waiting('check'));
    const version = JSON.parse(ok(await run(['procedure', 'show', 'restart_service', '--version', '1', '--json'])));
    expect(version).toMatchObject({ workflowId: 'restart_service', version: 1, name: 'Restart a service' });
    const noted = JSON.parse(ok(await run(['step', 'notes', id, 'check', '--notes', 'n', '--json']))) as TaskRunView;
    expect(noted).toMatchObject({ taskId: 'check', notes: 'n' });
    const failed = JSON.parse(ok(await run(['step', 'fail', id, 'check', '--notes', 'dashboard unreachable', '--json']))) as TaskRunView;
    expect(failed).toMatchObject({ taskId: 'check', status: 'failed', notes: 'dashboard unreachable' });
    const ended = JSON.parse(
      ok(await run(['execution', 'update', id, '--fail', '--notes', 'gave up: no dashboard', '--json'])),
    ) as ExecutionDetail;
    expect(ended).toMatchObject({ id, status: 'failed', notes: 'gave up: no dashboard' });
    expect(ended.taskRuns.every((r) => r.status !== 'waiting' && r.status !== 'pending')).toBe(true);
    const deleted = JSON.parse(ok(await run(['execution', 'delete', id, '--json'])));
    expect(deleted).toEqual({ id, deletedAt: expect.any(String) });
    const restored = JSON.parse(ok(await run(['execution', 'restore', id, '--json']))) as ExecutionDetail;
    expect(restored).toMatchObject({ id, status: 'failed' });
  });

  it('answers user errors with exit 1 and one line', async () => {
    const id = (JSON.parse(ok(await run(['procedure', 'start', 'restart_service', '-i', 'server=x', '--json']))) as ProcedureStarted)
      .executionId;
    await waitFor(id, waiting('check'));
    const unknown = '01900000-0000-7000-8000-000000000000';
    const results = await Promise.all([
      run(['procedure', 'start', 'nope']),
      run(['procedure', 'start', 'restart_service']),
      run(['procedure', 'start', 'restart_service', '--input', 'server']),
      run(['step', 'complete', unknown, 'check']),
      run(['step', 'complete', id, 'teleport']),
      run(['step', 'complete', id, 'restart']),
      run(['step', 'attach', id, 'check', 'missing.png']),
      run(['step', 'attach', id, 'check', '.']),
      run(['step', 'notes', id, 'check']),
      run(['execution', 'update', id]),
      run(['execution', 'update', id, '--complete', '--fail']),
      run(['execution', 'delete', id]),
      run(['attachment', 'get', unknown]),
      run(['execution', 'document', unknown]),
    ]);
    const [
      noWorkflow,
      missingInput,
      badInput,
      noExecution,
      noStep,
      notWaiting,
      noFile,
      directory,
      noNotes,
      nothing,
      both,
      running,
      noAttachment,
      noDoc,
    ] = results;
    expectOneLineError(noWorkflow, /Workflow "nope" not found \(WORKFLOW_NOT_FOUND\)$/);
    expectOneLineError(missingInput, /server.*required.*\(\w+\)$/);
    expectOneLineError(badInput, /^runledger: --input "server": expected key=value$/);
    expectOneLineError(noExecution, new RegExp(`^runledger: Execution ${unknown} not found \\(EXECUTION_NOT_FOUND\\)$`));
    expectOneLineError(
      noStep,
      new RegExp(`^runledger: execution ${id} has no task run of task "teleport" \\(tasks run so far: check(, restart)?\\)$`),
    );
    expectOneLineError(
      notWaiting,
      new RegExp(`^runledger: step "restart" of execution ${id} is not waiting for a person \\(it is pending\\)$`),
    );
    expectOneLineError(noFile, /^runledger: missing\.png: no such file$/);
    expectOneLineError(directory, /^runledger: \.: is a directory$/);
    expectOneLineError(noNotes, /required option '--notes <notes>' not specified/);
    expectOneLineError(nothing, /^runledger: nothing to change: give --title, --notes, --complete or --fail$/);
    expectOneLineError(both, /option '--complete' cannot be used with option '--fail'/);
    expectOneLineError(running, /\(EXECUTION_NOT_ENDED\)$/);
    expectOneLineError(noAttachment, /\(ATTACHMENT_NOT_FOUND\)$/);
    expectOneLineError(noDoc, /\(EXECUTION_NOT_FOUND\)$/);
    expect(fs.existsSync(path.join(harness.tmp, `attachment-${unknown}`))).toBe(false);
  });
});
