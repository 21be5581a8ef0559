import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { DefinitionFormat } from '../client/runledger-client.ts';
import { CliError } from './cli-error.ts';

/** Reads a file the user named; a missing or unreadable file is a one-line user error. */
export function readUserFile(file: string, cwd: string): string {
  try {
    return fs.readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (e: unknown) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`${file}: no such file`);
    if (code === 'EISDIR') throw new CliError(`${file}: is a directory`);
    if (code === 'EACCES') throw new CliError(`${file}: permission denied`);
    throw e;
  }
}

/** YAML or JSON: by extension (`.yaml`, `.yml`, `.json`), else by content (`{` starts JSON). */
export function definitionFormat(file: string, source: string): DefinitionFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  return source.trimStart().startsWith('{') ? 'json' : 'yaml';
}

/** A mapping from a JSON or YAML file (`--inputs-file`). */
export function readMappingFile(file: string, cwd: string): Record<string, unknown> {
  const text = readUserFile(file, cwd);
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (e: unknown) {
    throw new CliError(`${file}: not valid YAML or JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new CliError(`${file}: expected a mapping of input names to values`);
  return parsed as Record<string, unknown>;
}

/** `--input key=value`: the value is everything after the first `=` and stays a string (the server coerces it). */
export function parseInputAssignment(assignment: string): [string, string] {
  const at = assignment.indexOf('=');
  if (at <= 0) throw new CliError(`--input "${assignment}": expected key=value`);
  return [assignment.slice(0, at), assignment.slice(at + 1)];
}

/** The inputs of a run: `--inputs-file` (if given), then each `--input key=value` over it. */
export function runInputs(assignments: readonly string[], inputsFile: string | undefined, cwd: string): Record<string, unknown> {
  const inputs: Record<string, unknown> = inputsFile ? readMappingFile(inputsFile, cwd) : {};
  for (const assignment of assignments) {
    const [key, value] = parseInputAssignment(assignment);
    inputs[key] = value;
  }
  return inputs;
}
