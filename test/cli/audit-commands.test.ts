import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent, ExecutionAudit, ExecutionDetail, ExportedCheckpoint, StepResultAuditEntry } from '../../src/client/types.ts';
import { startCliHarness, type CliHarness, type CliRun, type RunOptions } from './cli-harness.ts';

/**
 * `runledger audit …` and `execution inspect --audit` through `main()` in process, against a real
 * server: the admin through the local token, a member signed in with `runledger login`.
 */
const MEMBER_PASSWORD = 'member password 1';
const VERIFIED = /^audit verified: \d+ chains, \d+ events, \d+ checkpoints\n$/;

let harness: CliHarness;
let executionId: string;

function run(args: string[], options?: RunOptions): Promise<CliRun> {
  return harness.run(args, options);
}

/** A member on another machine: their own credentials file, no local server to fall back on. */
function asMember(args: string[]): Promise<CliRun> {
  return run(args, {
    env: { XDG_CONFIG_HOME: path.join(harness.tmp, 'member-config'), RUNLEDGER_DATA_DIR: path.join(harness.tmp, 'no-local-server') },
  });
}

function failure(stderr: string | RegExp): Partial<CliRun> {
  return { code: 1, stdout: '', stderr: typeof stderr === 'string' ? stderr : expect.stringMatching(stderr) };
}

function file(name: string): string {
  return path.join(harness.tmp, name);
}

beforeAll(async () => {
  harness = await startCliHarness('runledger-audit-');
  await harness.client.applyWorkflow(
    'id: pair\nname: Pair\ntasks:\n  - id: a\n    type: log\n    with: { message: "one" }\n  - id: b\n    type: log\n    needs: [a]\n    with: { message: "two" }\n',
    'yaml',
  );
  executionId = (await harness.client.runWorkflow('pair')).executionId;
  await harness.client.waitForExecution(executionId, { pollMs: 50, timeoutMs: 10_000 });
  await harness.client.admin.createUser({ username: 'mia', password: MEMBER_PASSWORD });
  expect((await asMember(['login', '--username', 'mia', '--password', MEMBER_PASSWORD, '--server', harness.server.url])).code).toBe(0);
});

afterAll(async () => {
  await harness?.close();
});

describe('runledger audit', () => {
  it('verifies the whole trail, one execution, and as JSON; a member is FORBIDDEN', async () => {
    expect(await run(['audit', 'verify'])).toEqual({ code: 0, stdout: expect.stringMatching(VERIFIED), stderr: '' });
    expect((await run(['audit', 'verify', '--execution', executionId])).stdout).toMatch(
      /^audit verified: 1 chains, 7 events, \d+ checkpoints\n$/,
    );
    expect(JSON.parse((await run(['audit', 'verify', '--json'])).stdout)).toMatchObject({ ok: true, problems: [] });

    expect(await asMember(['audit', 'verify'])).toMatchObject(failure('runledger: This needs the admin role (FORBIDDEN)\n'));
    expect(await asMember(['audit', 'list'])).toMatchObject(failure('runledger: This needs the admin role (FORBIDDEN)\n'));
  });

  it('writes a checkpoint to a file (0600) and verifies against it; a tampered one fails with its problem', async () => {
    const out = await run(['audit', 'checkpoint', '--out', 'checkpoint.json']);
    expect(out).toEqual({ code: 0, stdout: expect.stringMatching(/^checkpoint \d+ written to checkpoint\.json\n$/), stderr: '' });
    expect(fs.statSync(file('checkpoint.json')).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(fs.readFileSync(file('checkpoint.json'), 'utf8')) as ExportedCheckpoint;
    expect(saved.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(saved.heads).toContainEqual(['execution', executionId, 7, expect.any(String)]);
    expect(out.stdout).toBe(`checkpoint ${saved.seq} written to checkpoint.json\n`);

    expect(await run(['audit', 'verify', '--checkpoint', 'checkpoint.json'])).toEqual({
      code: 0,
      stdout: expect.stringMatching(VERIFIED),
      stderr: '',
    });
    expect((await run(['audit', 'verify', '--execution', executionId, '--checkpoint', 'checkpoint.json'])).code).toBe(0);

    // One head's hash changed: the checkpoint no longer matches its own hash, nor the chain.
    const index = saved.heads.findIndex(([type, id]) => type === 'execution' && id === executionId);
    const tampered = { ...saved, heads: saved.heads.map((h, i) => (i === index ? ([h[0], h[1], h[2], '0'.repeat(64)] as const) : h)) };
    fs.writeFileSync(file('tampered.json'), JSON.stringify(tampered));
    const failed = await run(['audit', 'verify', '--checkpoint', 'tampered.json']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe('');
    const lines = failed.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('audit verification FAILED');
    expect(lines.slice(1)).toContain(
      `exported checkpoint ${saved.seq}: execution ${executionId} event 7 differs from the checkpoint (the chain was rewritten)`,
    );
    expect(lines.slice(1)).toContain(`exported checkpoint ${saved.seq}: its content does not match its hash`);
    expect(JSON.parse((await run(['audit', 'verify', '--checkpoint', 'tampered.json', '--json'])).stdout)).toMatchObject({ ok: false });

    // Without --out: the checkpoint with its public key, as JSON.
    const printed = JSON.parse((await run(['audit', 'checkpoint'])).stdout) as ExportedCheckpoint;
    expect(printed.seq).toBeGreaterThan(saved.seq);
    expect(printed).toMatchObject({ prevHash: expect.any(String), publicKey: saved.publicKey, keyId: saved.keyId });
  });

  it('answers a missing, unreadable or foreign checkpoint file with exit 1 and one line', async () => {
    expect(await run(['audit', 'verify', '--checkpoint', 'missing.json'])).toMatchObject(
      failure('runledger: missing.json: no such file\n'),
    );
    fs.writeFileSync(file('broken.json'), '{"heads": [');
    expect(await run(['audit', 'verify', '--checkpoint', 'broken.json'])).toMatchObject(
      failure(/^runledger: broken\.json: not valid JSON: .+\n$/),
    );
    fs.writeFileSync(file('other.json'), '{"name": "not a checkpoint"}');
    expect(await run(['audit', 'verify', '--checkpoint', 'other.json'])).toMatchObject(
      failure('runledger: other.json: not an audit checkpoint (write one with "runledger audit checkpoint --out FILE")\n'),
    );
    expect(await run(['audit', 'checkpoint', '--out', 'no/such/dir/cp.json'])).toMatchObject(
      failure('runledger: no/such/dir/cp.json: no such directory\n'),
    );
    expect(await run(['audit', 'list', '--subject-type', 'robot'])).toMatchObject(
      failure(/^runledger: option '--subject-type <type>' argument 'robot' is invalid\. Allowed choices are execution, .*\n$/),
    );
    expect(await run(['audit', 'list', '--event-type', 'created'])).toMatchObject(
      failure(/^runledger: --event-type: .*\(VALIDATION_FAILED\)\n$/),
    );
  });

  it('exports the trail as NDJSON, one event per line', async () => {
    const exported = await run(['audit', 'export']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout.endsWith('}\n')).toBe(true);
    const events = exported.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditEvent);
    expect(events.find((e) => e.subjectId === executionId && e.eventType === 'CREATED')).toMatchObject({
      subjectType: 'execution',
      seq: 1,
      metadata: { workflowId: 'pair' },
    });
    expect(events.filter((e) => e.subjectId === executionId).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await asMember(['audit', 'export'])).toMatchObject(failure('runledger: This needs the admin role (FORBIDDEN)\n'));
  });

  it('lists events, filtered by event and subject type', async () => {
    const listed = await run(['audit', 'list', '--event-type', 'CREATED']);
    expect(listed.code, listed.stderr).toBe(0);
    const rows = listed.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^TIME\s+SUBJECT\s+SEQ\s+EVENT\s+ACTOR$/);
    expect(rows).toContainEqual(
      expect.stringMatching(
        new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ\\s+execution ${executionId}\\s+1\\s+CREATED\\s+admin \\(token\\)$`),
      ),
    );
    expect(rows.slice(1).every((r) => /\sCREATED\s/.test(r))).toBe(true);

    const json = JSON.parse((await run(['audit', 'list', '--subject-type', 'workflow', '--limit', '1', '--json'])).stdout) as AuditEvent[];
    expect(json).toEqual([expect.objectContaining({ subjectType: 'workflow', subjectId: 'pair', eventType: 'WORKFLOW_CREATED' })]);
    expect((await run(['audit', 'list', '--event-type', 'NEVER_HAPPENED'])).stdout).toBe('No audit events match.\n');
  });
});

describe('runledger execution inspect --audit', () => {
  it('adds the event timeline, the verification and the step results', async () => {
    const shown = await run(['execution', 'inspect', executionId, '--audit']);
    expect(shown.code, shown.stderr).toBe(0);
    const out = shown.stdout;
    expect(out).toMatch(new RegExp(`^Execution\\s+${executionId}$`, 'm'));
    expect(out).toMatch(/^TIME\s+SEQ\s+EVENT\s+ACTOR\s+DETAIL$/m);
    expect(out).toMatch(/^\S+ \S+Z\s+1\s+CREATED\s+admin \(token\)\s+pair v1, trigger api$/m);
    expect(out).toMatch(/^\S+ \S+Z\s+2\s+STARTED\s+worker \S+\s+pending->running$/m);
    expect(out).toMatch(/^\S+ \S+Z\s+4\s+STATE_CHANGE\s+worker \S+\s+task a#1 running->succeeded$/m);
    expect(out).toMatch(/^\S+ \S+Z\s+7\s+COMPLETED\s+worker \S+\s+running->completed in \S+$/m);
    expect(out.indexOf(' CREATED ')).toBeLessThan(out.indexOf(' COMPLETED '));
    expect(out).toMatch(/^chain verified \(7 events\)$/m);
    expect(out).toMatch(/^TASK RUN\s+RECORDED AT\s+RECORDED BY\s+CORRELATION ID\s+SUCCESS\s+EXECUTION TIME$/m);
    expect(out).toMatch(new RegExp(`^a#1\\s+\\S+ \\S+Z\\s+\\S+\\s+${executionId}\\s+yes\\s+\\d+ms$`, 'm'));
    expect(out).toMatch(/^b#1\s+/m);

    const json = JSON.parse((await run(['execution', 'show', executionId, '--audit', '--json'])).stdout) as ExecutionDetail & {
      audit: ExecutionAudit;
      stepAudit: Record<string, StepResultAuditEntry[]>;
    };
    expect(json.id).toBe(executionId);
    expect(json.audit.items.map((e) => e.eventType)).toEqual([
      'CREATED',
      'STARTED',
      'STATE_CHANGE',
      'STATE_CHANGE',
      'STATE_CHANGE',
      'STATE_CHANGE',
      'COMPLETED',
    ]);
    expect(json.audit.verification).toEqual({ ok: true, checked: 7, problems: [] });
    expect(Object.keys(json.stepAudit)).toEqual(json.taskRuns.map((r) => r.id));
    expect(json.stepAudit[json.taskRuns[0]!.id]).toEqual([
      expect.objectContaining({ stepName: 'a', success: true, toState: 'succeeded', result: { level: 'INFO', message: 'one' } }),
    ]);

    // Without --audit nothing changes.
    expect(JSON.parse((await run(['execution', 'show', executionId, '--json'])).stdout)).not.toHaveProperty('audit');
  });

  it("lets a member inspect the audit of an execution they may read, not of another's", async () => {
    const started = await asMember(['workflow', 'run', 'pair', '--wait']);
    expect(started.code, started.stderr).toBe(0);
    const own = started.stdout.split('\n')[0]!;
    const shown = await asMember(['execution', 'inspect', own, '--audit']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^\S+ \S+Z\s+1\s+CREATED\s+mia \(token\)\s+pair v1, trigger cli$/m);
    expect(shown.stdout).toMatch(/^chain verified \(7 events\)$/m);
    expect(await asMember(['execution', 'inspect', executionId, '--audit'])).toMatchObject(
      failure(`runledger: Execution ${executionId} not found (EXECUTION_NOT_FOUND)\n`),
    );
  });

  // Last: it rewrites the store, so the whole trail no longer verifies.
  it('prints the problems and exits 1 when the chain was changed in the store', async () => {
    const db = harness.server.store.db;
    await sql`drop trigger audit_events_no_update`.execute(db);
    await sql`update audit_events set metadata = ${JSON.stringify({ workflowId: 'pair', workflowVersion: 2 })} where subject_id = ${executionId} and seq = 1`.execute(
      db,
    );
    const shown = await run(['execution', 'inspect', executionId, '--audit']);
    expect(shown.code).toBe(1);
    expect(shown.stderr).toBe('');
    expect(shown.stdout).toMatch(
      /^chain verification FAILED\n {2}event \S+ \(seq 1\): content does not match its hash \(changed after it was written\)$/m,
    );
    expect(JSON.parse((await run(['execution', 'inspect', executionId, '--audit', '--json'])).stdout).audit.verification.ok).toBe(false);

    const verified = await run(['audit', 'verify', '--execution', executionId]);
    expect(verified.code).toBe(1);
    expect(verified.stdout).toMatch(
      new RegExp(`^audit verification FAILED\\nexecution ${executionId}: event \\S+ \\(seq 1\\): content does not match its hash`),
    );
  });
});
