import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TaskExecutionError } from '../../../src/engine/task-handler.ts';
import { pluginTask } from '../../../src/engine/tasks/plugin-task.ts';
import { fakeContext, isRunning, waitFor } from './fake-context.ts';

let root: string;
let pluginDir: string;

function writePlugin(dir: string, id: string, script: string, mode = 0o755): void {
  const file = path.join(dir, id);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, script);
  chmodSync(file, mode);
}

// Reads its request, answers with every kind of line the protocol knows, exits with input.exitCode.
const ECHO_PLUGIN = `#!${process.execPath}
let text = '';
process.stdin.on('data', (chunk) => (text += chunk));
process.stdin.on('end', () => {
  const request = JSON.parse(text);
  const say = (value) => process.stdout.write((typeof value === 'string' ? value : JSON.stringify(value)) + '\\n');
  say({ type: 'log', level: 'WARN', message: 'careful: ' + request.action });
  say('plain text from the plugin');
  say({ type: 'progress', percent: 50 });
  say({ type: 'output', output: { request, argv: process.argv.slice(2) } });
  say({ type: 'output', output: { secretSeen: process.env.RUNLEDGER_PLUGIN_TEST_SECRET ?? null } });
  process.stderr.write('something on stderr\\n');
  process.exitCode = request.input?.exitCode ?? 0;
});
`;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'plugin-task-'));
  pluginDir = path.join(root, 'plugins');
  writePlugin(pluginDir, 'acme/echo', ECHO_PLUGIN);
  writePlugin(pluginDir, 'acme/silent', '#!/bin/sh\ncat >/dev/null\necho just text\n');
  writePlugin(
    pluginDir,
    'acme/replace',
    '#!/bin/sh\ncat >/dev/null\necho \'{"type":"output","output":{"a":1}}\'\necho \'{"type":"output","output":[1,2]}\'\n',
  );
  writePlugin(
    pluginDir,
    'acme/chatty',
    '#!/bin/sh\ncat >/dev/null\nhead -c 11000000 /dev/zero | tr \'\\0\' x | fold -w 1000\necho\necho \'{"type":"output","output":{"done":true}}\'\n',
  );
  writePlugin(
    pluginDir,
    'acme/hoard',
    `#!${process.execPath}\nfor (let i = 0; i < 200; i++) console.log(JSON.stringify({ type: 'output', output: { ['k' + i]: 'x'.repeat(60000) } }));\n`,
  );
  writePlugin(pluginDir, 'acme/hang', '#!/bin/sh\ncat >/dev/null\nsleep 30 & echo $!\n(sleep 30) & echo $!\necho $$\nwait\n');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => delete process.env.RUNLEDGER_PLUGIN_TEST_SECRET);

async function failure(promise: Promise<unknown>): Promise<TaskExecutionError> {
  const error = await promise.then(
    () => new Error('expected the task to fail'),
    (e: unknown) => e,
  );
  if (!(error instanceof TaskExecutionError)) throw error;
  return error;
}

describe('plugin task', () => {
  it('sends the request on stdin, logs its lines and merges its output events', async () => {
    process.env.RUNLEDGER_PLUGIN_TEST_SECRET = 'hunter2';
    const { ctx, logs } = fakeContext({ plugin: 'acme/echo', input: { server: 'web-01' } }, { pluginDirs: [pluginDir], attempt: 2 });
    const output = await pluginTask(ctx);
    expect(output).toEqual({
      request: {
        action: 'run',
        input: { server: 'web-01' },
        execution: { id: 'exec-1' },
        task: { id: 't1', runId: 'run-1', attempt: 2 },
      },
      argv: ['run'],
      secretSeen: null, // RUNLEDGER_* never reaches a plugin
    });
    const source = 'plugin:acme/echo.run';
    expect(logs).toEqual(
      expect.arrayContaining([
        { level: 'WARN', source, message: 'careful: run' },
        { level: 'INFO', source, message: 'plain text from the plugin' },
        { level: 'INFO', source, message: '{"type":"progress","percent":50}' },
        { level: 'INFO', source, message: 'something on stderr' },
      ]),
    );
    expect(logs).toHaveLength(4); // output events are results, not log lines
  });

  it('passes the action as argument and names it in the log source', async () => {
    const { ctx, logs } = fakeContext({ plugin: 'acme/echo', action: 'deploy' }, { pluginDirs: [pluginDir] });
    const output = (await pluginTask(ctx)) as { argv: string[]; request: { action: string; input: unknown } };
    expect(output.argv).toEqual(['deploy']);
    expect(output.request.action).toBe('deploy');
    expect(output.request.input).toBeNull();
    expect(logs[0]).toEqual({ level: 'WARN', source: 'plugin:acme/echo.deploy', message: 'careful: deploy' });
  });

  it('rejects a non-zero exit with PLUGIN_FAILED, keeping exit code and output', async () => {
    const { ctx } = fakeContext({ plugin: 'acme/echo', input: { exitCode: 4 } }, { pluginDirs: [pluginDir] });
    const error = await failure(pluginTask(ctx));
    expect(error.code).toBe('PLUGIN_FAILED');
    expect(error.message).toBe('plugin acme/echo exited with code 4');
    expect(error.output).toMatchObject({ exitCode: 4, output: { argv: ['run'], secretSeen: null } });
  });

  it('resolves {} when the plugin sent no output', async () => {
    const { ctx, logs } = fakeContext({ plugin: 'acme/silent' }, { pluginDirs: [pluginDir] });
    await expect(pluginTask(ctx)).resolves.toEqual({});
    expect(logs).toEqual([{ level: 'INFO', source: 'plugin:acme/silent.run', message: 'just text' }]);
  });

  it('replaces the output when a later one is not an object', async () => {
    const { ctx } = fakeContext({ plugin: 'acme/replace' }, { pluginDirs: [pluginDir] });
    await expect(pluginTask(ctx)).resolves.toEqual([1, 2]);
  });

  it('drops log lines past 10 MB with one WARN line, but never the output', async () => {
    const { ctx, logs } = fakeContext({ plugin: 'acme/chatty' }, { pluginDirs: [pluginDir] });
    // 11000 lines of 1000 bytes (1001 with the newline); 10 MiB admits 10475 of them.
    await expect(pluginTask(ctx)).resolves.toEqual({ done: true, droppedBytes: 525 * 1001 });
    expect(logs.filter((l) => l.level === 'WARN')).toEqual([
      { level: 'WARN', source: 'plugin:acme/chatty.run', message: 'output limit of 10 MB reached; further output dropped' },
    ]);
    expect(logs).toHaveLength(10475 + 1);
  });

  it('fails with PLUGIN_OUTPUT_TOO_LARGE when its output events pass 10 MB', async () => {
    const error = await failure(pluginTask(fakeContext({ plugin: 'acme/hoard' }, { pluginDirs: [pluginDir] }).ctx));
    expect(error.code).toBe('PLUGIN_OUTPUT_TOO_LARGE');
  });

  it('takes the plugin from the first directory that has it as an executable', async () => {
    const first = path.join(root, 'first');
    writePlugin(first, 'acme/echo', '#!/bin/sh\necho shadowed\n', 0o644); // not executable: skipped
    writePlugin(first, 'acme/silent', '#!/bin/sh\necho \'{"type":"output","output":"first wins"}\'\n');
    const dirs = [path.join(root, 'missing'), first, pluginDir];
    await expect(pluginTask(fakeContext({ plugin: 'acme/silent' }, { pluginDirs: dirs }).ctx)).resolves.toBe('first wins');
    await expect(pluginTask(fakeContext({ plugin: 'acme/echo' }, { pluginDirs: dirs }).ctx)).resolves.toMatchObject({ argv: ['run'] });
  });

  it('fails with PLUGIN_NOT_FOUND for an unknown plugin', async () => {
    const error = await failure(pluginTask(fakeContext({ plugin: 'acme/nope' }, { pluginDirs: [pluginDir] }).ctx));
    expect(error.code).toBe('PLUGIN_NOT_FOUND');
    expect(error.message).toBe(`plugin acme/nope not found (searched ${pluginDir})`);
  });

  it('refuses names that could leave the plugin directories, running nothing', async () => {
    const marker = path.join(root, 'escaped');
    writePlugin(root, 'x', `#!/bin/sh\ntouch ${marker}\n`);
    writePlugin(root, 'plugins/x', `#!/bin/sh\ntouch ${marker}\n`);
    const nested = path.join(pluginDir, 'acme');
    for (const plugin of ['../x', 'acme/../../x', '../plugins/x', 'x', 'acme/echo/extra', '/x', 'Acme/echo', '.hidden/echo', 42]) {
      const error = await failure(pluginTask(fakeContext({ plugin }, { pluginDirs: [nested] }).ctx));
      expect(error.code, String(plugin)).toBe('INVALID_INPUT');
    }
    const badAction = await failure(pluginTask(fakeContext({ plugin: 'acme/echo', action: '--help' }, { pluginDirs: [pluginDir] }).ctx));
    expect(badAction.code).toBe('INVALID_INPUT');
    expect(existsSync(marker)).toBe(false);
  });

  it('on abort kills the whole process group of the plugin', async () => {
    const { ctx, logs, abort } = fakeContext({ plugin: 'acme/hang' }, { pluginDirs: [pluginDir] });
    const run = pluginTask(ctx);
    await waitFor(() => logs.length === 3);
    const pids = logs.map((l) => Number(l.message));
    expect(pids.every(isRunning)).toBe(true);

    abort({ kind: 'cancelled', message: 'cancelled by carol' });
    await expect(run).rejects.toMatchObject({ name: 'AbortError', message: 'cancelled by carol' });
    expect(pids.filter(isRunning)).toEqual([]);
  });
});
