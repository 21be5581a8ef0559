/**
 * How long the `runledger` binary takes to answer, against the bare start of Node in the same run:
 * the median wall time of `runledger --version`, of `runledger execution list` against a running
 * server (a separate process on a fresh data directory, a few executions in it), and of `node -e 0`.
 * Runs are interleaved, so a busy machine slows all three alike. Targets: --version ≤ 2×, execution
 * list ≤ 3× the bare Node start.
 *
 *   npm run build:cli && npx tsx bench/cli-startup.ts
 *
 * Environment: BENCH_RUNS (21).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'runledger.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 21);

if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
  console.error('bench: dist/cli is missing; run `npm run build:cli` first');
  process.exit(1);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runledger-cli-bench-'));
const dataDir = path.join(tmp, 'data');
const env = { ...process.env, RUNLEDGER_DATA_DIR: dataDir, NO_COLOR: '1' };
const server = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
  env: { ...env, RUNLEDGER_ADMIN_PASSWORD: 'bench password 1', RUNLEDGER_LOG_LEVEL: 'silent' },
  stdio: 'ignore',
});

function run(command: string[]): { ms: number; stdout: string } {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, command, { env, cwd: tmp, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { ms, stdout: result.stdout };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

try {
  const deadline = Date.now() + 30_000;
  while (!fs.existsSync(path.join(dataDir, 'server.json'))) {
    if (Date.now() > deadline) throw new Error('the server did not start within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  run([BIN, 'workflow', 'apply', path.join(ROOT, 'examples', 'hello.yaml')]);
  for (let i = 0; i < 5; i++) run([BIN, 'workflow', 'run', 'hello', '--input', `name=bench-${i}`, '--wait']);

  const commands = {
    node: ['-e', '0'],
    version: [BIN, '--version'],
    list: [BIN, 'execution', 'list'],
  } as const;
  const times: Record<keyof typeof commands, number[]> = { node: [], version: [], list: [] };
  for (const name of Object.keys(commands) as (keyof typeof commands)[]) run([...commands[name]]); // warm the file cache
  for (let i = 0; i < RUNS; i++)
    for (const name of Object.keys(commands) as (keyof typeof commands)[]) times[name].push(run([...commands[name]]).ms);

  const node = median(times.node);
  const line = (name: string, ms: number, target: number): string =>
    `${name}: ours ${ms.toFixed(0)} ms, baseline node -e 0 ${node.toFixed(0)} ms, ratio ${(ms / node).toFixed(2)} (target ≤ ${target})`;
  console.log(`median of ${RUNS} runs each, interleaved`);
  console.log(line('runledger --version', median(times.version), 2));
  console.log(line('runledger execution list', median(times.list), 3));
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  fs.rmSync(tmp, { recursive: true, force: true });
}
