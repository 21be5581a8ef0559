import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionDetail } from '../../src/client/types.ts';
import { startCliHarness, type CliHarness } from './cli-harness.ts';

/**
 * Recorded text is shown, never obeyed: whatever control characters a task printed (colours,
 * cursor moves, OSC window titles and hyperlinks, BEL, C1 CSI, backspace, carriage return, bidi
 * overrides) reach the terminal as visible escapes; the only escape codes the CLI writes are the
 * colours of its own highlighting, and piped output holds none.
 */
const execFileAsync = promisify(execFile);

/** Runs a process to its end; resolves with its exit status and output whatever the status. */
async function spawnAsync(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, { ...options, encoding: 'utf8', timeout: 60_000 });
    return { status: 0, stdout, stderr };
  } catch (e: unknown) {
    const failed = e as { code?: number; stdout?: string; stderr?: string };
    return { status: failed.code ?? null, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'runledger.js');

/** Every hostile sequence, printed by the task with printf (octal escapes). */
const HOSTILE = [
  String.raw`red \033[31mRED\033[0m`,
  String.raw`title \033]0;pwned\007`,
  String.raw`link \033]8;;http://evil.example\033\\click\033]8;;\033\\`,
  String.raw`clear \033[2J\033[H`,
  String.raw`bell \007\007`,
  String.raw`csi \302\2332J`,
  String.raw`bidi \342\200\256txt.exe`,
  String.raw`back abc\010\010\010xyz`,
  String.raw`cr visible\rhidden`,
  String.raw`del \177`,
];
const WORKFLOW = `id: hostile
name: Hostile
tasks:
  - id: print
    type: shell
    with:
      command: |
${HOSTILE.map((line) => `        printf '%b\\n' '${line}'`).join('\n')}
        printf '%b' '\\033]0;stderr-title\\007' >&2
        exit 3
`;

/** Anything a terminal would act on: C0 but tab and newline, DEL, C1, bidi controls. */
// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** The colour sequences picocolors writes around a level or a status. */
// eslint-disable-next-line no-control-regex -- the CLI's own colours
const OWN_COLOUR = /\u001b\[\d{1,2}m/g;

let harness: CliHarness;
let execution: ExecutionDetail;

beforeAll(async () => {
  harness = await startCliHarness('runledger-escapes-');
  await harness.client.applyWorkflow(WORKFLOW, 'yaml');
  const { executionId } = await harness.client.runWorkflow('hostile', { title: 'title \u001b]0;pwned\u0007 \u009b2J end' });
  execution = await harness.client.waitForExecution(executionId, { pollMs: 50, timeoutMs: 15_000 });
  expect(execution.status).toBe('failed');
});

afterAll(async () => {
  await harness?.close();
});

describe('recorded control characters in the CLI', () => {
  it('are shown as escapes by execution logs when piped, so the output holds no control character', async () => {
    const shown = await harness.run(['execution', 'logs', execution.id]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).not.toMatch(CONTROL);
    expect(shown.stdout).toContain(String.raw`red \x1b[31mRED\x1b[0m`);
    expect(shown.stdout).toContain(String.raw`title \x1b]0;pwned\x07`);
    expect(shown.stdout).toContain(String.raw`csi \x9b2J`);
    expect(shown.stdout).toContain(String.raw`bidi \u202etxt.exe`);
    expect(shown.stdout).toContain(String.raw`back abc\x08\x08\x08xyz`);
    expect(shown.stdout).toContain(String.raw`\x1b]0;stderr-title\x07`);
  });

  it('keep only the CLI’s own colours on a terminal', async () => {
    const shown = await harness.run(['execution', 'logs', execution.id], { tty: true, env: { NO_COLOR: '' } });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(OWN_COLOUR); // the levels are coloured
    expect(shown.stdout.replace(OWN_COLOUR, '')).not.toMatch(CONTROL);
    // the task's own colour codes are text, not colour
    expect(shown.stdout).toContain(String.raw`\x1b[31mRED`);
  });

  it('are shown as escapes by execution inspect and execution list too (titles, errors, outputs)', async () => {
    for (const args of [
      ['execution', 'inspect', execution.id, '--no-truncate'],
      ['execution', 'inspect', execution.id],
      ['execution', 'list'],
    ]) {
      const shown = await harness.run(args);
      expect(shown.code, `${args.join(' ')}: ${shown.stderr}`).toBe(0);
      const at = shown.stdout.search(CONTROL);
      expect(at, `${args.join(' ')}: ${JSON.stringify(shown.stdout.slice(Math.max(0, at - 80), at + 20))}`).toBe(-1);
    }
    const inspected = await harness.run(['execution', 'inspect', execution.id, '--no-truncate']);
    expect(inspected.stdout).toContain(String.raw`\x1b]0;pwned\x07`);
  });

  it('hold no control character in the real binary’s piped output', async () => {
    // the server runs in this process: the binary must run beside it, not block it
    const result = await spawnAsync(process.execPath, [BIN, 'execution', 'logs', execution.id], {
      cwd: harness.tmp,
      env: {
        PATH: process.env.PATH,
        HOME: path.join(harness.tmp, 'home'),
        XDG_CONFIG_HOME: path.join(harness.tmp, 'home', '.config'),
        RUNLEDGER_DATA_DIR: harness.dataDir,
      },
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('title');
    expect(result.stdout).not.toMatch(CONTROL);
  });
});
