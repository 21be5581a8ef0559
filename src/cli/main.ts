import fs from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { registerAttachmentCommands } from './commands/attachment-commands.ts';
import { registerAuditCommands } from './commands/audit-commands.ts';
import { registerDbCommands } from './commands/db-commands.ts';
import { registerExecutionCommands } from './commands/execution-commands.ts';
import { registerGroupCommands } from './commands/group-commands.ts';
import { registerRetentionCommands } from './commands/retention-commands.ts';
import { registerLoginCommand } from './commands/login-command.ts';
import { registerProcedureCommands } from './commands/procedure-commands.ts';
import { registerServeCommand } from './commands/serve-command.ts';
import { registerStepCommands } from './commands/step-commands.ts';
import { registerTokenCommands } from './commands/token-commands.ts';
import { registerUserCommands } from './commands/user-commands.ts';
import { registerWorkflowCommands } from './commands/workflow-commands.ts';
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

function leaves(command: Command): Command[] {
  return command.commands.length === 0 ? [command] : command.commands.flatMap(leaves);
}

export function buildProgram(ctx: CliContext): Command {
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

  registerServeCommand(program, ctx, parsers);
  registerLoginCommand(program, ctx);
  registerDbCommands(program, ctx);
  registerWorkflowCommands(program, ctx, parsers);
  registerExecutionCommands(program, ctx, parsers);
  registerProcedureCommands(program, ctx, parsers);
  registerStepCommands(program, ctx);
  registerAttachmentCommands(program, ctx);
  registerTokenCommands(program, ctx);
  registerUserCommands(program, ctx);
  registerGroupCommands(program, ctx);
  registerAuditCommands(program, ctx, parsers);
  registerRetentionCommands(program, ctx, parsers);
  for (const leaf of leaves(program)) if (leaf !== program) addGlobalOptions(leaf);

  program.hook('preAction', (_program, action) => {
    const globals = action.optsWithGlobals<GlobalOptions>();
    ctx.globals = { server: globals.server, token: globals.token };
  });
  return program;
}

/**
 * The `runledger` command line. Returns the exit code: 0 on success, 1 on any error (printed as
 * one line `runledger: <reason>` on stderr) or when `workflow run --wait` ends other than completed.
 */
export async function main(argv: string[], io: CliIo = {}): Promise<number> {
  const ctx = new CliContext(io.env ?? process.env, io.cwd ?? process.cwd(), io.stdout ?? process.stdout, io.stderr ?? process.stderr);
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'node' });
    return ctx.exitCode;
  } catch (e: unknown) {
    // Commander has already printed its message (usage errors) or the help/version text.
    if (e instanceof CommanderError) return e.exitCode;
    ctx.stderr.write(`${describeError(e, ctx.env.RUNLEDGER_DEBUG === '1')}\n`);
    return 1;
  }
}
