import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.ts';
import { RunledgerClient } from '../../src/client/runledger-client.ts';
import { loadConfig } from '../../src/config.ts';
import { describeEachDialect, tempDir, TEST_PG_URL } from '../support/stores.ts';
import { spawnCli } from './binary-spawn.ts';

/**
 * `runledger workflow run ID --inputs-file FILE` with a list of input sets, through the compiled
 * binary against a real server: one execution per set, all or none, one id per line.
 */
describeEachDialect('workflow run with a list of input sets', (dialect) => {
  let dir: string;
  let server: RunningServer;
  let client: RunledgerClient;
  let schema: string | undefined;
  const cli = (args: string[]) =>
    spawnCli(args, { env: { HOME: path.join(dir, 'home'), RUNLEDGER_DATA_DIR: path.join(dir, 'data') }, cwd: dir });
  const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
  const executionCount = () => client.countExecutions({}, 'deploy');

  beforeAll(async () => {
    dir = tempDir('runledger-bulk-cli-');
    if (dialect === 'postgres') {
      schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
      const admin = new pg.Client({ connectionString: TEST_PG_URL });
      await admin.connect();
      await admin.query(`create schema ${schema}`);
      await admin.end();
    }
    server = await startServer(
      loadConfig(
        { RUNLEDGER_LOG_LEVEL: 'silent' },
        { dataDir: path.join(dir, 'data'), port: 0, host: '127.0.0.1', databaseUrl: schema ? TEST_PG_URL : undefined },
      ),
      { print: () => {}, schema },
    );
    client = new RunledgerClient({ server: server.url, token: fs.readFileSync(path.join(dir, 'data', 'local-token'), 'utf8').trim() });
    write(
      'deploy.yaml',
      [
        'id: deploy',
        'name: Deploy',
        'inputs:',
        '  server: { type: string, required: true }',
        '  count: { type: integer, default: 1 }',
        'tasks:',
        '  - { id: say, type: log, with: { message: "deploying {{ inputs.server }}" } }',
      ].join('\n'),
    );
    expect((await cli(['workflow', 'apply', 'deploy.yaml'])).code).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    if (schema) {
      const admin = new pg.Client({ connectionString: TEST_PG_URL });
      await admin.connect();
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts one execution per item of a JSON array, printing one id per line in order', async () => {
    write('sets.json', JSON.stringify([{ server: 'web-1' }, { server: 'web-2', count: 2 }, { server: 'web-3' }]));
    const result = await cli(['workflow', 'run', 'deploy', '--inputs-file', 'sets.json', '--input', 'count=7']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const ids = result.stdout.trimEnd().split('\n');
    expect(ids).toHaveLength(3);
    const executions = await Promise.all(ids.map((id) => client.getExecution(id)));
    // --input applies to every set, over the file's value
    expect(executions.map((e) => [e.inputs.server, e.inputs.count, e.trigger])).toEqual([
      ['web-1', 7, 'cli'],
      ['web-2', 7, 'cli'],
      ['web-3', 7, 'cli'],
    ]);
  });

  it('reads JSON lines, one input set per line', async () => {
    write('sets.jsonl', '{"server":"a"}\n{"server":"b"}\n\n{"server":"c","count":3}\n');
    const result = await cli(['workflow', 'run', 'deploy', '--inputs-file', 'sets.jsonl']);
    expect(result.code).toBe(0);
    const ids = result.stdout.trimEnd().split('\n');
    expect(ids).toHaveLength(3);
    const executions = await Promise.all(ids.map((id) => client.getExecution(id)));
    expect(executions.map((e) => e.inputs)).toEqual([
      { server: 'a', count: 1 },
      { server: 'b', count: 1 },
      { server: 'c', count: 3 },
    ]);
  });

  it('starts none when one set is bad: one line naming its index, exit 1', async () => {
    const before = await executionCount();
    write('bad.json', JSON.stringify([{ server: 'ok' }, { server: 'y', count: 'x' }, { server: 'ok' }, {}]));
    const result = await cli(['workflow', 'run', 'deploy', '--inputs-file', 'bad.json']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'runledger: runs[1].inputs.count: expected integer, got "x"; runs[3].inputs.server: required (INVALID_INPUTS)\n',
    );
    expect(await executionCount()).toBe(before);
  });

  it('says in one line what is wrong with the file, exit 1', async () => {
    const cases: [string, string, string[], string][] = [
      ['notmap.json', '[{"server":"a"}, 3]', [], 'runledger: notmap.json: input set 1 is not a mapping of input names to values'],
      ['broken.jsonl', '{"server":"a"}\n{"server":\n', [], 'runledger: broken.jsonl: input set 1 is not valid JSON: '],
      ['empty.json', '[]', [], 'runledger: empty.json: the list of input sets is empty'],
      ['scalar.json', '42', [], 'runledger: scalar.json: expected a mapping of input names to values, or a list of them'],
      ['wait.json', '[{"server":"a"}]', ['--wait'], 'runledger: --wait follows one execution; it does not go with a list of input sets'],
      [
        'many.json',
        JSON.stringify(Array.from({ length: 1001 }, () => ({ server: 'x' }))),
        [],
        'runledger: many.json: 1001 input sets, at most 1000 in one run (split the file)',
      ],
    ];
    const before = await executionCount();
    for (const [file, text, flags, message] of cases) {
      write(file, text);
      const result = await cli(['workflow', 'run', 'deploy', '--inputs-file', file, ...flags]);
      expect(result.code, file).toBe(1);
      expect(result.stderr.split('\n').filter(Boolean), file).toHaveLength(1);
      expect(result.stderr.startsWith(message), `${file}: ${result.stderr}`).toBe(true);
    }
    expect(await executionCount()).toBe(before);
  });

  it('still starts one execution from a mapping, as before', async () => {
    write('one.yaml', 'server: solo\ncount: 4\n');
    const result = await cli(['workflow', 'run', 'deploy', '--inputs-file', 'one.yaml', '--wait', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'completed', inputs: { server: 'solo', count: 4 } });
  });
});
