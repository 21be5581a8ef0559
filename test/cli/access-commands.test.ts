import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionShares, GroupView, UserDetail } from '../../src/client/types.ts';
import { startCliHarness, type CliHarness, type CliRun, type RunOptions } from './cli-harness.ts';

/**
 * `runledger user | group | token | execution share(s)` through `main()` in process, against a real
 * server: an admin (the local token) and members who signed in with `runledger login`, each with
 * their own XDG_CONFIG_HOME and no local server to fall back on.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MEMBER_PASSWORD = 'member password 1';

let harness: CliHarness;
let executionId: string;

function run(args: string[], options?: RunOptions): Promise<CliRun> {
  return harness.run(args, options);
}

/** A person on another machine: their own credentials file, no `.runledger` of a local server. */
function memberEnv(name: string): NodeJS.ProcessEnv {
  return { XDG_CONFIG_HOME: path.join(harness.tmp, `${name}-config`), RUNLEDGER_DATA_DIR: path.join(harness.tmp, 'no-local-server') };
}

function as(name: string, args: string[]): Promise<CliRun> {
  return run(args, { env: memberEnv(name) });
}

async function login(name: string, password = MEMBER_PASSWORD): Promise<CliRun> {
  return as(name, ['login', '--username', name, '--password', password, '--server', harness.server.url]);
}

function failure(stderr: string): Partial<CliRun> {
  return { code: 1, stdout: '', stderr };
}

beforeAll(async () => {
  harness = await startCliHarness('runledger-access-');
  await harness.client.applyWorkflow('id: note\nname: Note\ntasks:\n  - id: say\n    type: log\n    with: { message: "hi" }\n', 'yaml');
  executionId = (await harness.client.runWorkflow('note')).executionId;
  await harness.client.waitForExecution(executionId, { pollMs: 50, timeoutMs: 10_000 });
});

afterAll(async () => {
  await harness?.close();
});

describe('runledger user, group and execution share', () => {
  it('shares an execution with a group; a member reads it while in the group, and may not change it', async () => {
    expect(await run(['user', 'create', 'alice', '--password', MEMBER_PASSWORD])).toEqual({
      code: 0,
      stdout: 'user alice: created (member)\n',
      stderr: '',
    });
    expect((await run(['group', 'list'])).stdout).toBe('No groups yet; add one with "runledger group create NAME".\n');
    expect((await run(['group', 'create', 'ops'])).stdout).toBe('group ops: created\n');
    expect((await run(['group', 'add', 'ops', 'alice'])).stdout).toBe('group ops: added alice (members: alice)\n');
    const groups = (await run(['group', 'list'])).stdout.trimEnd().split('\n');
    expect(groups[0]).toMatch(/^ID\s+NAME\s+MEMBERS\s+CREATED$/);
    expect(groups[1]).toMatch(/^\S{36}\s+ops\s+alice\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);

    expect(await login('alice')).toEqual({ code: 0, stdout: `Logged in to ${harness.server.url} as alice\n`, stderr: '' });
    const notFound = failure(`runledger: Execution ${executionId} not found (EXECUTION_NOT_FOUND)\n`);
    expect(await as('alice', ['execution', 'show', executionId])).toMatchObject(notFound);

    expect((await run(['execution', 'share', executionId, '--group', 'ops'])).stdout).toBe(
      'Scope   shared (read only)\nUsers   -\nGroups  ops\n',
    );
    const shown = await as('alice', ['execution', 'show', executionId]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^Execution\\s+${executionId}$`, 'm'));
    expect(JSON.parse((await as('alice', ['execution', 'list', '--json'])).stdout).items.map((e: { id: string }) => e.id)).toEqual([
      executionId,
    ]);
    const shares = JSON.parse((await as('alice', ['execution', 'shares', executionId, '--json'])).stdout) as ExecutionShares;
    expect(shares).toEqual({ scope: 'shared', users: [], groups: [{ id: expect.stringMatching(UUID), name: 'ops' }] });

    // A reader may not change sharing, nor manage users or groups.
    expect(await as('alice', ['execution', 'share', executionId, '--private'])).toMatchObject(
      failure('runledger: Only the owner of this execution or an admin may change it (FORBIDDEN)\n'),
    );
    expect(await as('alice', ['user', 'list'])).toMatchObject(failure('runledger: This needs the admin role (FORBIDDEN)\n'));
    expect(await as('alice', ['group', 'remove', 'ops', 'alice'])).toMatchObject(
      failure('runledger: This needs the admin role (FORBIDDEN)\n'),
    );

    expect((await run(['group', 'remove', 'ops', 'alice'])).stdout).toBe('group ops: removed alice (members: none)\n');
    expect(await as('alice', ['execution', 'show', executionId])).toMatchObject(notFound);
    expect(await run(['group', 'remove', 'ops', 'alice'])).toMatchObject(failure('runledger: alice is not a member of group ops\n'));

    // Shared with her by name, then private again.
    const direct = JSON.parse((await run(['execution', 'share', executionId, '--user', 'alice', '--json'])).stdout) as ExecutionShares;
    expect(direct).toMatchObject({ scope: 'shared', users: [{ username: 'alice' }], groups: [] });
    expect((await as('alice', ['execution', 'show', executionId])).code).toBe(0);
    expect((await run(['execution', 'share', executionId, '--private'])).stdout).toBe(
      'Scope   private (its owner and admins only)\nUsers   -\nGroups  -\n',
    );
    expect(await as('alice', ['execution', 'show', executionId])).toMatchObject(notFound);
    expect((await run(['execution', 'shares', executionId])).stdout).toMatch(/^Scope\s+private/);

    expect((await run(['group', 'delete', 'ops'])).stdout).toBe('group ops: deleted\n');
    expect(await run(['group', 'delete', 'ops'])).toMatchObject(failure('runledger: no group "ops" (see "runledger group list")\n'));
  });

  it('answers bad input with exit 1 and one line', async () => {
    expect(await run(['user', 'create', 'alice', '--password', MEMBER_PASSWORD])).toMatchObject(
      failure('runledger: User "alice" already exists (CONFLICT)\n'),
    );
    expect(await run(['user', 'create', 'shorty', '--password', 'short'])).toMatchObject(
      failure('runledger: body.password: must be at least 8 characters (VALIDATION_FAILED)\n'),
    );
    expect(await run(['user', 'create', 'x', '--password', MEMBER_PASSWORD, '--role', 'boss'])).toMatchObject(
      failure("runledger: option '--role <role>' argument 'boss' is invalid. Allowed choices are admin, member.\n"),
    );
    expect(await run(['user', 'set-role', 'alice', 'boss'])).toMatchObject(
      failure("runledger: command-argument value 'boss' is invalid for argument 'role'. Allowed choices are admin, member.\n"),
    );
    expect(await run(['user', 'disable', 'nobody'])).toMatchObject(failure('runledger: no user "nobody" (see "runledger user list")\n'));
    expect(await run(['group', 'add', 'nogroup', 'alice'])).toMatchObject(
      failure('runledger: no group "nogroup" (see "runledger group list")\n'),
    );
    expect(await run(['execution', 'share', executionId])).toMatchObject(
      failure('runledger: name whom to share with (--user U, --group G, repeatable), or pass --private\n'),
    );
    expect(await run(['execution', 'share', executionId, '--private', '--user', 'alice'])).toMatchObject(
      failure('runledger: --private takes no --user or --group: it removes every share\n'),
    );
    expect(await run(['execution', 'share', executionId, '--user', 'nobody'])).toMatchObject(
      failure('runledger: body.users: unknown user "nobody" (VALIDATION_FAILED)\n'),
    );
  });

  it('disables, enables, changes roles, grants and passwords', async () => {
    const bob = JSON.parse((await run(['user', 'create', 'bob', '--password', MEMBER_PASSWORD, '--can-edit-workflows', '--json'])).stdout);
    expect(bob).toMatchObject({ username: 'bob', role: 'member', canEditWorkflows: true, disabledAt: null });
    expect((await run(['user', 'create', 'carol', '--password', MEMBER_PASSWORD, '--role', 'admin'])).stdout).toBe(
      'user carol: created (admin)\n',
    );
    expect((await login('bob')).code).toBe(0);

    // Disabled: the stored API token stops working at once, and so does signing in.
    expect((await run(['user', 'disable', 'bob'])).stdout).toBe('user bob: disabled\n');
    const rejected = await as('bob', ['workflow', 'list']);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(/^runledger: Invalid or expired token \(UNAUTHENTICATED\); sign in with "runledger login".*\n$/);
    expect(await login('bob')).toMatchObject(failure('runledger: Invalid username or password (INVALID_CREDENTIALS)\n'));
    const list = (await run(['user', 'list'])).stdout.trimEnd().split('\n');
    expect(list[0]).toMatch(/^ID\s+USERNAME\s+ROLE\s+WORKFLOWS\s+STATUS\s+CREATED$/);
    const row = (name: string): string | undefined => list.find((l) => l.split(/\s+/)[1] === name);
    expect(row('bob')).toMatch(/^\S{36}\s+bob\s+member\s+edit\s+disabled \d{4}-\d\d-\d\d \S+Z\s+\d{4}-/);
    expect(row('admin')).toMatch(/\s+admin\s+admin\s+edit \(admin\)\s+active\s+/);
    expect(row('alice')).toMatch(/\s+alice\s+member\s+run\s+active\s+/);
    // by id as well as by name
    expect((await run(['user', 'enable', bob.id])).stdout).toBe('user bob: enabled\n');
    expect((await as('bob', ['workflow', 'list'])).code).toBe(0);

    // The workflow-editing grant decides whether a member may apply definitions.
    fs.writeFileSync(
      path.join(harness.tmp, 'bobs.yaml'),
      'id: bobs\nname: Bobs\ntasks:\n  - id: t\n    type: log\n    with: { message: x }\n',
    );
    const definition = path.join(harness.tmp, 'bobs.yaml');
    expect((await as('bob', ['workflow', 'apply', definition])).stdout).toBe('workflow bobs: created version 1\n');
    expect((await run(['user', 'revoke-workflows', 'bob'])).stdout).toBe('user bob: may no longer create, edit or delete workflows\n');
    expect((await as('bob', ['workflow', 'apply', definition])).stderr).toMatch(/^runledger: .*workflow-editing grant \(FORBIDDEN\)\n$/);
    expect((await run(['user', 'grant-workflows', 'bob'])).stdout).toBe('user bob: may create, edit and delete workflows\n');
    expect((await run(['user', 'revoke-workflows', 'carol'])).stdout).toBe(
      'user carol: may no longer create, edit or delete workflows (except as an admin)\n',
    );

    expect((await run(['user', 'set-role', 'bob', 'admin'])).stdout).toBe('user bob: role admin\n');
    expect((await as('bob', ['user', 'list', '--json'])).code).toBe(0);
    const demoted = JSON.parse((await run(['user', 'set-role', 'bob', 'member', '--json'])).stdout) as UserDetail;
    expect(demoted).toMatchObject({ username: 'bob', role: 'member' });

    expect((await run(['user', 'reset-password', 'bob', '--password', 'another password 2'])).stdout).toBe('user bob: password reset\n');
    expect((await login('bob')).code).toBe(1);
    expect((await login('bob', 'another password 2')).code).toBe(0);
  });

  it('adds several users to a group at once, each once', async () => {
    await run(['group', 'create', 'oncall']);
    const alice = (await harness.client.admin.listUsers()).find((u) => u.username === 'alice')!;
    const group = JSON.parse((await run(['group', 'add', 'oncall', 'alice', 'bob', alice.id, '--json'])).stdout) as GroupView;
    expect(group.members.map((m) => m.username)).toEqual(['alice', 'bob']);
    expect((await run(['group', 'remove', group.id, 'bob'])).stdout).toBe('group oncall: removed bob (members: alice)\n');
  });
});

describe('runledger token', () => {
  it('creates a token shown once, lists and revokes it', async () => {
    expect((await run(['token', 'list'])).stdout).toMatch(
      /^ID\s+NAME\s+PREFIX\s+STATUS\s+CREATED\s+EXPIRES\s+LAST USED\n\S{36}\s+local-cli\s+/,
    );

    const created = await run(['token', 'create', 'ci', '--expires', '30d']);
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(created.stdout).toMatch(/^rl_\S+\n$/);
    expect(created.stderr).toMatch(
      /^token "ci" \(id \S{36}, expires \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\): this is the only time it is shown\n$/,
    );

    const withToken = { env: { RUNLEDGER_TOKEN: token } };
    const listed = JSON.parse((await run(['token', 'list', '--json'], withToken)).stdout) as {
      id: string;
      name: string;
      expiresAt: string;
    }[];
    const ci = listed.find((t) => t.name === 'ci')!;
    expect(Date.parse(ci.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);

    const json = JSON.parse((await run(['token', 'create', 'dup', '--json'])).stdout) as { token: string; expiresAt: null };
    expect(json).toMatchObject({ token: expect.stringMatching(/^rl_/), expiresAt: null, name: 'dup' });
    await run(['token', 'create', 'dup', '--expires', '2999-01-01']);
    expect(await run(['token', 'revoke', 'dup'])).toMatchObject(
      failure('runledger: 2 active tokens are named "dup"; revoke one by id (see "runledger token list")\n'),
    );

    expect(await run(['token', 'revoke', 'ci'])).toEqual({ code: 0, stdout: `token ${ci.id} ("ci"): revoked\n`, stderr: '' });
    expect((await run(['token', 'list'], withToken)).stderr).toMatch(/\(UNAUTHENTICATED\)/);
    expect((await run(['token', 'list'])).stdout).toMatch(new RegExp(`^${ci.id}\\s+ci\\s+rl_\\S*\\s+revoked\\s`, 'm'));
    expect((await run(['token', 'revoke', ci.id])).stderr).toMatch(/^runledger: token \S+ \("ci"\) was revoked already, at \d{4}-.*Z\n$/);
    expect(await run(['token', 'revoke', 'nothing'])).toMatchObject(
      failure('runledger: no token "nothing" (see "runledger token list")\n'),
    );
  });

  it('refuses an expiry that is not a future time', async () => {
    expect(await run(['token', 'create', 'x', '--expires', 'tomorrow'])).toMatchObject(
      failure(
        "runledger: option '--expires <when>' argument 'tomorrow' is invalid. expected an ISO-8601 date or timestamp (2026-01-31) or a duration (90d)\n",
      ),
    );
    expect(await run(['token', 'create', 'x', '--expires', '2001-01-01'])).toMatchObject(
      failure("runledger: option '--expires <when>' argument '2001-01-01' is invalid. expected a time in the future\n"),
    );
  });

  it('notes when the revoked token is the one `runledger login` stored', async () => {
    await run(['user', 'create', 'dora', '--password', MEMBER_PASSWORD]);
    expect((await login('dora')).code).toBe(0);
    const stored = JSON.parse(fs.readFileSync(path.join(harness.tmp, 'dora-config', 'runledger', 'credentials.json'), 'utf8')) as {
      tokenId: string;
    };
    const revoked = await as('dora', ['token', 'revoke', stored.tokenId]);
    expect(revoked.stdout).toMatch(/^token \S{36} \("runledger CLI on .*"\): revoked\n$/);
    expect(revoked.stderr).toBe('It was the token "runledger login" stored; sign in again with "runledger login"\n');
    expect((await as('dora', ['token', 'list'])).code).toBe(1);
  });
});

describe('runledger login', () => {
  it('says for how long sign-in is locked after repeated failures', async () => {
    for (let i = 0; i < 5; i++)
      expect(await login('ghost', 'wrong password')).toMatchObject(
        failure('runledger: Invalid username or password (INVALID_CREDENTIALS)\n'),
      );
    expect(await login('ghost', 'wrong password')).toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(
        /^runledger: Too many failed sign-in attempts for "ghost"; try again in 1[45]m \d\ds \(TOO_MANY_ATTEMPTS\)\n$/,
      ),
    });
  });
});
