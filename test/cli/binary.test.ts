import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliHarness, type CliHarness } from './cli-harness.ts';
import { waitFor } from '../support/wait-for.ts';
import { ROOT, spawnCli, type SpawnOptions } from './binary-spawn.ts';

/**
 * The compiled binary as a person runs it: which modules a command loads, and how it ends when the
 * reader of its output goes away. The server runs in this process (cli-harness); the binary finds it
 * through the data directory.
 */
let h: CliHarness;
let executionId: string;
let recordId: string;
let env: SpawnOptions['env'];

/** Prints every module URL the ESM loader resolves, one `import URL` line on stderr. */
const RECORD_IMPORTS = `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(
  'data:text/javascript,export async function resolve(s,c,n){const r=await n(s,c);process.stderr.write("import "+r.url+"\\n");return r}',
)})`;

async function importsOf(args: string[]): Promise<string[]> {
  const result = await spawnCli(args, { env, cwd: h.tmp, nodeArgs: ['--import', RECORD_IMPORTS] });
  expect(result.code, result.stderr).toBe(0);
  return result.stderr
    .split('\n')
    .filter((l) => l.startsWith('import '))
    .map((l) => l.slice('import '.length));
}

beforeAll(async () => {
  h = await startCliHarness('runledger-binary-');
  env = { HOME: path.join(h.tmp, 'home'), RUNLEDGER_DATA_DIR: h.dataDir };
  fs.writeFileSync(
    path.join(h.tmp, 'chatty.yaml'),
    [
      'id: chatty',
      'name: Chatty',
      'tasks:',
      '  - { id: talk, type: shell, with: { command: "for i in 1 2 3 4 5 6 7 8 9 10; do echo line $i; done" } }',
      '  - { id: confirm, type: manual, needs: [talk], with: { description: "Look at it." } }',
    ].join('\n'),
  );
  expect((await h.run(['workflow', 'apply', 'chatty.yaml'])).code).toBe(0);
  executionId = (await h.client.runWorkflow('chatty', {})).executionId;
  await waitFor(
    async () => ((await h.client.getExecution(executionId)).status === 'waiting' ? true : undefined),
    'the run to wait for its manual step',
  );
  recordId = (await h.client.records.startProcedure('chatty', {})).executionId;
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('the compiled binary', () => {
  it('runs the compiled JavaScript and loads no command module for --version', async () => {
    const imports = await importsOf(['--version']);
    expect(imports).toContain(new URL('dist/cli/main.js', `file://${ROOT}/`).href);
    expect(imports.filter((u) => u.includes('/src/') || u.includes('tsx'))).toEqual([]);
    expect(imports.filter((u) => /-commands?-[A-Z0-9]+\.js$/.test(u))).toEqual([]);
    expect(imports.filter((u) => u.includes('node_modules/yaml'))).toEqual([]);
  });

  it('loads only the execution commands, and nothing of the server, for execution list', async () => {
    const imports = await importsOf(['execution', 'list']);
    const commandModules = imports
      .filter((u) => /-commands?-[A-Z0-9]+\.js$/.test(u))
      .map((u) => path.basename(u).replace(/-[A-Z0-9]+\.js$/, ''));
    expect(commandModules).toEqual(['execution-commands']);
    for (const heavy of ['kysely', 'fastify', 'better-sqlite3', 'zod', 'yaml', '@aws-sdk', 'sharp', 'server-'])
      expect(
        imports.filter((u) => u.includes(heavy)),
        heavy,
      ).toEqual([]);
  });
});

describe('a server that does not answer', () => {
  it('is named with the system error, in one line', async () => {
    const result = await spawnCli(['execution', 'list', '--server', 'http://127.0.0.1:9'], { env, cwd: h.tmp });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^runledger: Cannot reach the Runledger server at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\); .*\(SERVER_UNREACHABLE\)\n$/,
    );
  });
});

describe('a reader that closes its end early', () => {
  const readCommands = (): string[][] => [
    ['workflow', 'list'],
    ['execution', 'list'],
    ['execution', 'show', executionId],
    ['execution', 'inspect', executionId, '--timeline', '--audit'],
    ['execution', 'logs', executionId],
    ['execution', 'list', '--json'],
    ['procedure', 'show', 'chatty'],
    ['attachment', 'list', executionId],
    ['logs', 'stats'],
    ['audit', 'verify'],
    ['token', 'list'],
    ['user', 'list'],
    ['execution', 'document', recordId],
  ];

  it('ends every read command quietly with exit 0', async () => {
    for (const args of readCommands()) {
      const result = await spawnCli(args, { env, cwd: h.tmp, closeStdout: true });
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 0, stderr: '' });
    }
  }, 120_000);

  it('ends procedure start and workflow run --wait quietly with exit 0', async () => {
    for (const args of [
      ['procedure', 'start', 'chatty'],
      ['workflow', 'run', 'chatty', '--wait'],
    ]) {
      const result = await spawnCli(args, { env, cwd: h.tmp, closeStdout: true });
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 0, stderr: '' });
    }
  }, 60_000);
});
