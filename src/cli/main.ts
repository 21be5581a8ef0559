import fs from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { describeError, oneLine } from './cli-error.ts';
import { CliContext, type GlobalOptions, type OutputStream } from './cli-context.ts';

/** The process's surroundings; tests may pass their own (the binary passes none). */
export interface CliIo {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdout?: OutputStream;
  stderr?: OutputStream;
}

const parsers = {
  positiveInt(value: string): number {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1)
      throw new InvalidArgumentError('expected a positive whole number');
    return n;
  },
  port(value: string): number {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n > 65535) throw new InvalidArgumentError('expected a port number (0-65535)');
    return n;
  },
};

function packageVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** `--server` and `--token` work before the command (`runledger --server U workflow list`) and after it. */
function addGlobalOptions(command: Command): Command {
  return command
    .option(
      '--server <url>',
      'Runledger server URL (default: RUNLEDGER_SERVER, `runledger login`, the local server, http://127.0.0.1:8080)',
    )
    .option('--token <token>', 'API token or session token (default: RUNLEDGER_TOKEN, `runledger login`, the local server)');
}

export type Parsers = typeof parsers;
/** Adds one top-level command (or a few) to the program. */
export type Registrar = (program: Command, ctx: CliContext, parsers: Parsers) => void;

/**
 * Every top-level command and the module that defines it, in the order `--help` lists them. A
 * command's module (and what it imports: the client, renderers, YAML) is loaded only when that
 * command runs: `runledger --version` loads none, `execution list` one.
 */
const COMMAND_MODULES: ReadonlyArray<{ names: readonly string[]; load: () => Promise<Registrar> }> = [
  { names: ['serve', 'worker'], load: async () => (await import('./commands/serve-command.ts')).registerServeCommand },
  { names: ['login'], load: async () => (await import('./commands/login-command.ts')).registerLoginCommand },
  { names: ['db'], load: async () => (await import('./commands/db-commands.ts')).registerDbCommands },
  { names: ['workflow'], load: async () => (await import('./commands/workflow-commands.ts')).registerWorkflowCommands },
  { names: ['execution'], load: async () => (await import('./commands/execution-commands.ts')).registerExecutionCommands },
  { names: ['procedure'], load: async () => (await import('./commands/procedure-commands.ts')).registerProcedureCommands },
  { names: ['step'], load: async () => (await import('./commands/step-commands.ts')).registerStepCommands },
  { names: ['attachment'], load: async () => (await import('./commands/attachment-commands.ts')).registerAttachmentCommands },
  { names: ['token'], load: async () => (await import('./commands/token-commands.ts')).registerTokenCommands },
  { names: ['user'], load: async () => (await import('./commands/user-commands.ts')).registerUserCommands },
  { names: ['group'], load: async () => (await import('./commands/group-commands.ts')).registerGroupCommands },
  { names: ['audit'], load: async () => (await import('./commands/audit-commands.ts')).registerAuditCommands },
  { names: ['logs'], load: async () => (await import('./commands/retention-commands.ts')).registerRetentionCommands },
];

/** Program options that take a value: skipped when looking for the command's name. */
const VALUE_OPTIONS = new Set(['--server', '--token']);

/**
 * The modules the command line needs: none for `--version` alone, the named command's module, or
 * all of them for help, `help CMD` and an unknown name (commander then lists or suggests commands).
 */
export async function loadRegistrars(args: readonly string[]): Promise<Registrar[]> {
  let name: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (VALUE_OPTIONS.has(arg)) i++;
    else if (!arg.startsWith('-')) {
      name = arg;
      break;
    } else if (arg === '-h' || arg === '--help') break;
  }
  const versionOnly =
    name === undefined && args.some((a) => a === '-V' || a === '--version') && !args.some((a) => a === '-h' || a === '--help');
  if (versionOnly) return [];
  const wanted = COMMAND_MODULES.filter((m) => name !== undefined && m.names.includes(name));
  return Promise.all((wanted.length > 0 ? wanted : COMMAND_MODULES).map((m) => m.load()));
}

function leaves(command: Command): Command[] {
  return command.commands.length === 0 ? [command] : command.commands.flatMap(leaves);
}

export function buildProgram(ctx: CliContext, registrars: readonly Registrar[]): Command {
  const program = new Command('runledger')
    .description('Runs workflows and runbooks and keeps the complete, verifiable record of every run.')
    .version(packageVersion(), '-V, --version')
    // Program options only before the command; each command repeats --server/--token, so they also
    // work after it, and command options such as `workflow run --version` never clash with the program's.
    .enablePositionalOptions()
    .exitOverride()
    .configureHelp({ sortSubcommands: false })
    .configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      writeErr: (text) => ctx.stderr.write(text),
      // Usage errors: one line, same shape as every other error.
      outputError: (text, write) => write(`runledger: ${oneLine(text.replace(/^error:\s*/, ''))}\n`),
    });
  addGlobalOptions(program);

  for (const register of registrars) register(program, ctx, parsers);
  for (const leaf of leaves(program)) if (leaf !== program) addGlobalOptions(leaf);

  program.hook('preAction', (_program, action) => {
    const globals = action.optsWithGlobals<GlobalOptions>();
    ctx.globals = { server: globals.server, token: globals.token };
  });
  return program;
}

/**
 * A reader that stops early (`runledger execution list | head -1`) closes the pipe; what it wanted
 * has been printed, so the command ends there, quietly and successfully, whatever it was doing.
 * Installed once per process, only on the real stdout.
 */
function endQuietlyWhenStdoutCloses(stdout: NodeJS.WriteStream): void {
  if (stdout.listeners('error').length > 0) return;
  stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    process.stderr.write(`runledger: cannot write the output: ${e.message}\n`);
    process.exit(1);
  });
}

/**
 * The `runledger` command line. Returns the exit code: 0 on success, 1 on any error (printed as
 * one line `runledger: <reason>` on stderr) or when `workflow run --wait` ends other than completed.
 */
export async function main(argv: string[], io: CliIo = {}): Promise<number> {
  if (io.stdout === undefined) endQuietlyWhenStdoutCloses(process.stdout);
  const ctx = new CliContext(io.env ?? process.env, io.cwd ?? process.cwd(), io.stdout ?? process.stdout, io.stderr ?? process.stderr);
  try {
    await buildProgram(ctx, await loadRegistrars(argv.slice(2))).parseAsync(argv, { from: 'node' });
    return ctx.exitCode;
  } catch (e: unknown) {
    // Commander has already printed its message (usage errors) or the help/version text.
    if (e instanceof CommanderError) return e.exitCode;
    ctx.stderr.write(`${describeError(e, ctx.env.RUNLEDGER_DEBUG === '1')}\n`);
    return 1;
  }
}
