import { LOG_LEVELS, type LogLevel } from '../../domain/log-line.ts';
import { TaskExecutionError } from '../task-handler.ts';

/** Input checks shared by the handlers; a bad `with` fails the task with code `INVALID_INPUT`. */
export function invalidInput(message: string): TaskExecutionError {
  return new TaskExecutionError('INVALID_INPUT', message);
}

/** A required, non-empty string. */
export function requireString(input: Record<string, unknown>, key: string): string {
  const value = input[key];
  if (typeof value !== 'string' || value === '') throw invalidInput(`with.${key} must be a non-empty string`);
  return value;
}

/** An optional string; `undefined` when absent. */
export function optionalString(input: Record<string, unknown>, key: string): string | undefined {
  const value = input[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidInput(`with.${key} must be a string`);
  return value;
}

/** An optional map of strings (env variables, headers); `{}` when absent. */
export function optionalStringRecord(input: Record<string, unknown>, key: string): Record<string, string> {
  const value = input[key];
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidInput(`with.${key} must be an object of strings`);
  }
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw invalidInput(`with.${key}.${name} must be a string`);
    out[name] = v;
  }
  return out;
}

/** `with.<key>` as a log level, any case; `fallback` when absent. */
export function optionalLevel(input: Record<string, unknown>, key: string, fallback: LogLevel): LogLevel {
  const value = input[key];
  if (value === undefined) return fallback;
  const level = typeof value === 'string' ? LOG_LEVELS.find((l) => l === value.toUpperCase()) : undefined;
  if (!level) throw invalidInput(`with.${key} must be one of ${LOG_LEVELS.join(', ')}; got ${JSON.stringify(value)}`);
  return level;
}

/**
 * The level of a process's stderr lines, unless the task says otherwise (`with.stderrLevel`). Not
 * ERROR: programs write progress, warnings and debug output there, and a failure is reported anyway
 * (the task's own ERROR line when it ends failed), so `--level error` keeps showing failures only.
 */
export const DEFAULT_STDERR_LEVEL: LogLevel = 'INFO';
