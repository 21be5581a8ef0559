import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { LOG_LEVELS, LogLevel } from '../../domain/log-line.ts';
import { jsonNestsDeeperThan } from '../../domain/nesting-depth.ts';
import { TaskExecutionError, type TaskContext } from '../task-handler.ts';
import { describeExit, runProcessGroup, taskEnv } from './child-process.ts';
import { MAX_TASK_OUTPUT_BYTES, OUTPUT_LIMIT_MESSAGE, OutputLimit } from './output-limit.ts';
import { DEFAULT_STDERR_LEVEL, invalidInput, optionalLevel, optionalString } from './task-input.ts';

/** A namespace or name: one path segment that can never climb out of a plugin directory. */
const NAME_SEGMENT = /^[a-z0-9][a-z0-9_-]*$/;
/** An action is the plugin's first argument; no leading `-`, so it cannot pass for an option. */
const ACTION = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The document a plugin reads from stdin, one JSON line. */
export interface PluginRequest {
  action: string;
  input: unknown;
  execution: { id: string };
  task: { id: string; runId: string; attempt: number };
}

type PluginEvent = { type: 'log'; level: LogLevel; message: string } | { type: 'output'; output: unknown };

/**
 * `type: plugin` — runs the executable `<dir>/<namespace>/<name>` from the first of `ctx.pluginDirs`
 * that has it, with `[action]` as arguments and a `PluginRequest` on stdin, in its own process group
 * (same environment filtering and abort handling as shell tasks). Its stdout speaks JSON lines:
 * `{"type":"log","level":"WARN","message":"…"}` is logged at that level, `{"type":"output","output":…}`
 * sets the output (plain objects are shallow-merged into an earlier one), and anything else is logged
 * at INFO as text; stderr at `with.stderrLevel` (default INFO); all as source `plugin:<namespace>/<name>.<action>`.
 * Exit 0 resolves the output (`{}` when none was sent); any other exit rejects with `PLUGIN_FAILED`.
 * A protocol line must fit one log line (64 KiB): a longer one is cut, and logged as text.
 */
export async function pluginTask(ctx: TaskContext): Promise<unknown> {
  const { namespace, name } = readPluginName(ctx.input.plugin);
  const action = optionalString(ctx.input, 'action') ?? 'run';
  if (!ACTION.test(action)) throw invalidInput(`with.action ${JSON.stringify(action)} must match ${ACTION.source}`);
  const file = await resolvePlugin(ctx.pluginDirs, namespace, name);
  const source = `plugin:${namespace}/${name}.${action}`;
  const request: PluginRequest = {
    action,
    input: ctx.input.input ?? null,
    execution: { id: ctx.executionId },
    task: { id: ctx.taskId, runId: ctx.taskRunId, attempt: ctx.attempt },
  };

  const stderrLevel = optionalLevel(ctx.input, 'stderrLevel', DEFAULT_STDERR_LEVEL);
  const limit = new OutputLimit(() => ctx.log('WARN', source, OUTPUT_LIMIT_MESSAGE));
  const result = new PluginResult();
  const exit = await runProcessGroup({
    file,
    args: [action],
    env: taskEnv(),
    stdin: `${JSON.stringify(request)}\n`,
    signal: ctx.signal,
    safeCut: ctx.secretSafeCut,
    onStdoutLine: (line) => {
      const event = parseEvent(line);
      if (event?.type === 'output') result.add(event.output, line);
      else if (event?.type === 'log') {
        if (limit.admit(event.message)) ctx.log(event.level, source, event.message);
      } else if (limit.admit(line)) ctx.log('INFO', source, line);
    },
    onStderrLine: (line) => {
      if (limit.admit(line)) ctx.log(stderrLevel, source, line);
    },
  });

  if (exit.exitCode !== 0 || exit.signal) {
    const output: Record<string, unknown> = { exitCode: exit.exitCode, output: result.value ?? null };
    if (limit.droppedBytes > 0) output.droppedBytes = limit.droppedBytes;
    throw new TaskExecutionError('PLUGIN_FAILED', `plugin ${namespace}/${name} ${describeExit(exit)}`, output);
  }
  if (result.overflowed) {
    throw new TaskExecutionError(
      'PLUGIN_OUTPUT_TOO_LARGE',
      `plugin ${namespace}/${name} sent more than ${MAX_TASK_OUTPUT_BYTES} bytes of output events`,
    );
  }
  const output = result.value ?? {};
  // The count of dropped log bytes can only travel in an object; other outputs rely on the WARN line.
  return limit.droppedBytes > 0 && isPlainObject(output) ? { ...output, droppedBytes: limit.droppedBytes } : output;
}

function readPluginName(value: unknown): { namespace: string; name: string } {
  const parts = typeof value === 'string' ? value.split('/') : [];
  const [namespace, name] = parts;
  if (parts.length !== 2 || !namespace || !name || !NAME_SEGMENT.test(namespace) || !NAME_SEGMENT.test(name)) {
    throw invalidInput(`with.plugin must be "<namespace>/<name>", each matching ${NAME_SEGMENT.source}; got ${JSON.stringify(value)}`);
  }
  return { namespace, name };
}

async function resolvePlugin(dirs: readonly string[], namespace: string, name: string): Promise<string> {
  for (const dir of dirs) {
    const file = path.resolve(dir, namespace, name);
    try {
      await access(file, constants.X_OK);
      if ((await stat(file)).isFile()) return file;
    } catch {
      // missing or not executable here: try the next directory
    }
  }
  const searched = dirs.length > 0 ? dirs.join(', ') : 'no plugin directories';
  throw new TaskExecutionError('PLUGIN_NOT_FOUND', `plugin ${namespace}/${name} not found (searched ${searched})`);
}

/**
 * The output a plugin has sent so far. Output events are the task's result, so they are never dropped
 * like log lines; they are bounded on their own, and past the bound the task fails instead.
 */
class PluginResult {
  value: unknown = undefined;
  overflowed = false;
  private bytes = 0;

  add(output: unknown, line: string): void {
    this.bytes += Buffer.byteLength(line, 'utf8');
    if (this.bytes > MAX_TASK_OUTPUT_BYTES) this.overflowed = true;
    if (this.overflowed) return;
    this.value = isPlainObject(this.value) && isPlainObject(output) ? { ...this.value, ...output } : output;
  }
}

function parseEvent(line: string): PluginEvent | undefined {
  if (!line.trimStart().startsWith('{')) return undefined; // most text is not JSON: skip the parse
  if (jsonNestsDeeperThan(line)) return undefined; // too deep for the masker and the store: a text line
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  if (value.type === 'output' && 'output' in value) return { type: 'output', output: value.output };
  if (value.type === 'log' && value.message !== undefined) {
    const message = typeof value.message === 'string' ? value.message : JSON.stringify(value.message);
    const level = typeof value.level === 'string' ? LOG_LEVELS.find((l) => l === String(value.level).toUpperCase()) : undefined;
    return { type: 'log', level: level ?? LogLevel.info, message };
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
