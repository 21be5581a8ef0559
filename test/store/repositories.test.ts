import { afterEach, beforeEach, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.ts';
import { failure } from '../../src/domain/task-failure.ts';
import type { WorkflowDefinition } from '../../src/domain/workflow-definition.ts';
import * as executions from '../../src/store/execution-repository.ts';
import { MIGRATION_NAMES } from '../../src/store/migrations/index.ts';
import { rollbackOne, migrateToLatest } from '../../src/store/store.ts';
import * as taskRuns from '../../src/store/task-run-repository.ts';
import * as users from '../../src/store/user-repository.ts';
import * as workflows from '../../src/store/workflow-repository.ts';
import { besideOtherSchemas, createTestStore, describeEachDialect, type TestStore } from '../support/stores.ts';

const definition: WorkflowDefinition = {
  id: 'deploy',
  name: 'Deploy',
  inputs: {},
  tasks: [{ id: 'build', type: 'shell', needs: [], with: { command: 'true' } }],
};

async function seedWorkflow(t: TestStore, id = 'deploy'): Promise<void> {
  const now = new Date().toISOString();
  await workflows.insertWorkflow(t.store.db, { id, name: 'Deploy', createdBy: null, now });
  await workflows.insertWorkflowVersion(t.store.db, {
    id: newId(),
    workflowId: id,
    version: 1,
    definition: { ...definition, id },
    source: '{}',
    sourceFormat: 'json',
    checksum: 'x',
    createdBy: null,
    createdAt: now,
  });
}

function newExecution(workflowId: string, createdAt: string, inputs: Record<string, unknown> = {}): executions.NewExecution {
  return {
    id: newId(),
    workflowId,
    workflowVersion: 1,
    trigger: 'api',
    triggeredBy: null,
    correlationId: null,
    title: null,
    inputs,
    createdAt,
  };
}

describeEachDialect('store repositories', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore(dialect);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('keeps workflow versions immutable and numbered', async () => {
    await seedWorkflow(t);
    const now = new Date().toISOString();
    await workflows.insertWorkflowVersion(t.store.db, {
      id: newId(),
      workflowId: 'deploy',
      version: 2,
      definition: { ...definition, name: 'Deploy v2' },
      source: 'name: Deploy v2',
      sourceFormat: 'yaml',
      checksum: 'y',
      createdBy: null,
      createdAt: now,
    });
    const wf = await workflows.getWorkflow(t.store.db, 'deploy');
    expect(wf).toMatchObject({ id: 'deploy', name: 'Deploy v2', latestVersion: 2 });
    const versions = await workflows.listWorkflowVersions(t.store.db, 'deploy');
    expect(versions.map((v) => v.version)).toEqual([2, 1]);
    expect((await workflows.getWorkflowVersion(t.store.db, 'deploy', 1))?.definition.name).toBe('Deploy');
    expect(await workflows.latestVersionNumber(t.store.db, 'deploy')).toBe(2);
    await expect(workflows.insertWorkflowVersion(t.store.db, { ...versions[0]!, id: newId() })).rejects.toThrow();
    expect(await workflows.softDeleteWorkflow(t.store.db, 'deploy', now)).toBe(true);
    expect(await workflows.getWorkflow(t.store.db, 'deploy')).toBeUndefined();
    expect(await workflows.workflowIdTaken(t.store.db, 'deploy')).toBe(true);
    expect(await workflows.listWorkflows(t.store.db)).toEqual([]);
  });

  it('creates, reads and updates executions with their inputs', async () => {
    await seedWorkflow(t);
    const e = newExecution('deploy', '2026-01-01T00:00:00.000Z', { server: 'web-01', count: 3, api_token: '***' });
    await executions.insertExecution(t.store.db, e);
    const read = await executions.getExecution(t.store.db, e.id);
    expect(read).toMatchObject({
      id: e.id,
      status: 'pending',
      inputs: { server: 'web-01', count: 3 },
      context: null,
      logEntryCount: 0,
      accessScope: 'private',
    });
    const rows = await t.store.db.selectFrom('execution_inputs').selectAll().where('execution_id', '=', e.id).orderBy('key').execute();
    expect(rows.map((r) => [r.key, r.value])).toEqual([
      ['api_token', '***'],
      ['count', '3'],
      ['server', 'web-01'],
    ]);

    const changed = await executions.updateExecution(
      t.store.db,
      e.id,
      { status: 'running', startedAt: '2026-01-01T00:00:01.000Z', updatedAt: '2026-01-01T00:00:01.000Z' },
      ['pending'],
    );
    expect(changed).toBe(true);
    // compare-and-set: a second writer expecting `pending` changes nothing
    expect(
      await executions.updateExecution(t.store.db, e.id, { status: 'failed', updatedAt: '2026-02-01T00:00:00.000Z' }, ['pending']),
    ).toBe(false);
    await executions.updateExecution(t.store.db, e.id, {
      status: 'completed',
      context: { inputs: { server: 'web-01' }, tasks: { build: { status: 'succeeded', attempt: 1, output: { n: 1 } } } },
      completedAt: '2026-01-01T00:00:02.000Z',
      updatedAt: '2026-01-01T00:00:02.000Z',
    });
    const done = await executions.getExecution(t.store.db, e.id);
    expect(done).toMatchObject({ status: 'completed', startedAt: '2026-01-01T00:00:01.000Z', completedAt: '2026-01-01T00:00:02.000Z' });
    expect(done?.context?.tasks.build?.output).toEqual({ n: 1 });
    expect(await executions.getExecution(t.store.db, newId())).toBeUndefined();
  });

  it('updates several executions at once, each a compare-and-set of its own', async () => {
    await seedWorkflow(t);
    const [a, b, c] = [1, 2, 3].map((i) => newExecution('deploy', `2026-01-01T00:00:0${i}.000Z`));
    for (const e of [a!, b!, c!]) await executions.insertExecution(t.store.db, e);
    await executions.updateExecution(t.store.db, c!.id, { status: 'running', updatedAt: '2026-01-01T00:00:04.000Z' });
    const ended = '2026-01-01T00:00:05.000Z';
    const changed = await executions.updateExecutions(t.store.db, [
      {
        id: a!.id,
        changes: { status: 'completed', completedAt: ended, updatedAt: ended, context: { inputs: {}, tasks: {} } },
        fromStatuses: ['pending'],
      },
      {
        id: b!.id,
        changes: { status: 'failed', completedAt: ended, updatedAt: ended, error: failure('task', 'BOOM', 'boom') },
        fromStatuses: ['pending'],
      },
      // Expects pending, but it is running: left as it is.
      { id: c!.id, changes: { status: 'cancelled', completedAt: ended, updatedAt: ended }, fromStatuses: ['pending'] },
    ]);
    expect([...changed].sort()).toEqual([a!.id, b!.id].sort());
    expect(await executions.getExecution(t.store.db, a!.id)).toMatchObject({
      status: 'completed',
      completedAt: ended,
      context: { inputs: {}, tasks: {} },
    });
    expect(await executions.getExecution(t.store.db, b!.id)).toMatchObject({
      status: 'failed',
      completedAt: ended,
      error: { message: 'boom' },
    });
    expect(await executions.getExecution(t.store.db, c!.id)).toMatchObject({ status: 'running', completedAt: null });
  });

  it('lists executions newest first with filters and a keyset cursor', async () => {
    await seedWorkflow(t, 'deploy');
    await seedWorkflow(t, 'backup');
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const e = newExecution(i % 2 === 0 ? 'deploy' : 'backup', `2026-01-0${i + 1}T00:00:00.000Z`);
      ids.push(e.id);
      await executions.insertExecution(t.store.db, e);
    }
    await executions.updateExecution(t.store.db, ids[0]!, { status: 'failed', updatedAt: '2026-02-01T00:00:00.000Z' });

    const page1 = await executions.listExecutions(t.store.db, { scope: { kind: 'all' }, limit: 3 });
    expect(page1.items.map((e) => e.id)).toEqual([ids[6], ids[5], ids[4]]);
    const page2 = await executions.listExecutions(t.store.db, { scope: { kind: 'all' }, limit: 3, cursor: page1.nextCursor! });
    expect(page2.items.map((e) => e.id)).toEqual([ids[3], ids[2], ids[1]]);
    const page3 = await executions.listExecutions(t.store.db, { scope: { kind: 'all' }, limit: 3, cursor: page2.nextCursor! });
    expect(page3.items.map((e) => e.id)).toEqual([ids[0]]);
    expect(page3.nextCursor).toBeNull();

    const byWorkflow = await executions.listExecutions(t.store.db, { scope: { kind: 'all' }, limit: 10, workflowId: 'deploy' });
    expect(byWorkflow.items.map((e) => e.id)).toEqual([ids[6], ids[4], ids[2], ids[0]]);
    const failed = await executions.listExecutions(t.store.db, { scope: { kind: 'all' }, limit: 10, statuses: ['failed'] });
    expect(failed.items.map((e) => e.id)).toEqual([ids[0]]);
    const range = await executions.listExecutions(t.store.db, {
      scope: { kind: 'all' },
      limit: 10,
      from: '2026-01-02T00:00:00.000Z',
      to: '2026-01-04T00:00:00.000Z',
    });
    expect(range.items.map((e) => e.id)).toEqual([ids[2], ids[1]]);
    const unfinished = await executions.listUnfinishedExecutions(t.store.db);
    expect(unfinished.map((e) => e.id)).toEqual(ids.slice(1));
  });

  it('records task runs and their transitions', async () => {
    await seedWorkflow(t);
    const e = newExecution('deploy', new Date().toISOString());
    await executions.insertExecution(t.store.db, e);
    const run = {
      id: newId(),
      executionId: e.id,
      taskId: 'build',
      type: 'shell' as const,
      attempt: 1,
      status: 'pending' as const,
      createdAt: new Date().toISOString(),
    };
    await taskRuns.insertTaskRuns(t.store.db, [run]);
    await expect(taskRuns.insertTaskRuns(t.store.db, [{ ...run, id: newId() }])).rejects.toThrow();

    expect(
      await taskRuns.updateTaskRun(
        t.store.db,
        run.id,
        { status: 'running', input: { command: 'make' }, startedAt: run.createdAt, updatedAt: run.createdAt },
        'pending',
      ),
    ).toBe(true);
    expect(await taskRuns.updateTaskRun(t.store.db, run.id, { status: 'running', updatedAt: run.createdAt }, 'pending')).toBe(false);
    await taskRuns.updateTaskRun(t.store.db, run.id, {
      status: 'failed',
      output: { exitCode: 2 },
      error: { type: 'task', code: 'EXIT_CODE', message: 'exit 2', retryable: true },
      durationMs: 12,
      updatedAt: run.createdAt,
    });
    await taskRuns.insertTransitions(t.store.db, [
      { id: newId(), taskRunId: run.id, executionId: e.id, fromState: null, toState: 'pending', metadata: {}, createdAt: run.createdAt },
      {
        id: newId(),
        taskRunId: run.id,
        executionId: e.id,
        fromState: 'pending',
        toState: 'running',
        metadata: { workerId: 'w1' },
        createdAt: run.createdAt,
      },
    ]);
    const read = await taskRuns.getTaskRun(t.store.db, run.id);
    expect(read).toMatchObject({
      status: 'failed',
      input: { command: 'make' },
      output: { exitCode: 2 },
      durationMs: 12,
      error: { code: 'EXIT_CODE' },
    });
    expect((await taskRuns.listTaskRunsByExecution(t.store.db, e.id)).map((r) => r.id)).toEqual([run.id]);
    expect((await taskRuns.listTaskRunsByExecutions(t.store.db, [e.id])).length).toBe(1);
    const transitions = await taskRuns.listTransitions(t.store.db, run.id);
    expect(transitions.map((x) => [x.fromState, x.toState])).toEqual([
      [null, 'pending'],
      ['pending', 'running'],
    ]);
    expect(transitions[1]?.metadata).toEqual({ workerId: 'w1' });
    expect((await taskRuns.listTransitionsByExecution(t.store.db, e.id)).length).toBe(2);
  });

  it('stores users and hashed API tokens', async () => {
    const now = new Date().toISOString();
    const id = newId();
    await users.insertUser(t.store.db, { id, username: 'ada', passwordHash: 'h', role: 'member', now });
    expect(await users.countUsers(t.store.db)).toBe(1);
    expect((await users.getUserCredentials(t.store.db, 'ada'))?.passwordHash).toBe('h');
    expect((await users.getUserById(t.store.db, id))?.role).toBe('member');
    await expect(users.insertUser(t.store.db, { id: newId(), username: 'ada', passwordHash: 'h', role: 'admin', now })).rejects.toThrow();
    const tokenId = newId();
    await users.insertApiToken(t.store.db, {
      id: tokenId,
      userId: id,
      name: 'ci',
      prefix: 'rl_abc',
      tokenHash: 'hash1',
      createdAt: now,
      expiresAt: null,
      lastUsedAt: null,
      revokedAt: null,
    });
    const found = await users.getApiTokenWithUser(t.store.db, 'hash1');
    expect(found?.token).toMatchObject({ id: tokenId, userId: id, lastUsedAt: null, revokedAt: null });
    expect(found?.user.id).toBe(id);
    expect(await users.getApiTokenWithUser(t.store.db, 'no such hash')).toBeUndefined();
    await users.touchApiToken(t.store.db, tokenId, now);
    expect((await users.listApiTokens(t.store.db, id))[0]?.lastUsedAt).toBe(now);
    expect(await users.revokeApiToken(t.store.db, id, tokenId, now)).toBe(true);
    expect(await users.revokeApiToken(t.store.db, id, tokenId, now)).toBe(false);
    expect((await users.listUsers(t.store.db)).map((u) => u.username)).toEqual(['ada']);
  });

  it('rolls every migration back and forward again', async () => {
    const rollback = () => besideOtherSchemas(() => rollbackOne(t.store));
    const migrate = () => besideOtherSchemas(() => migrateToLatest(t.store));
    for (const name of [...MIGRATION_NAMES].reverse()) expect(await rollback()).toEqual([`rolled back ${name}`]);
    expect(await rollback()).toEqual([]);
    await expect(t.store.db.selectFrom('executions').selectAll().execute()).rejects.toThrow();
    expect(await migrate()).toEqual(MIGRATION_NAMES.map((n) => `applied ${n}`));
    expect(await migrate()).toEqual([]);
    expect(await t.store.db.selectFrom('executions').selectAll().execute()).toEqual([]);
  });
});
