import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { DefinitionFormat } from '../client/runledger-client.ts';
import { MAX_RUNS_PER_REQUEST } from '../domain/run-limits.ts';
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

/** What `--inputs-file` holds: one mapping (one execution) or a list of them (one execution each). */
export type InputsFile = { kind: 'one'; inputs: Record<string, unknown> } | { kind: 'many'; sets: Record<string, unknown>[] };

/**
 * `--inputs-file`: a JSON or YAML mapping starts one execution; a JSON array, a YAML sequence or JSON
 * lines (one object per line) start one execution per item.
 */
export function readInputsFile(file: string, cwd: string): InputsFile {
  const text = readUserFile(file, cwd);
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed =
      lines.length > 1 && lines.every((line) => line.trimStart().startsWith('{')) ? jsonLines(file, lines) : parseYamlFile(file, text);
  }
  if (parsed === null || parsed === undefined) return { kind: 'one', inputs: {} };
  if (!Array.isArray(parsed)) {
    if (!isMapping(parsed)) throw new CliError(`${file}: expected a mapping of input names to values, or a list of them`);
    return { kind: 'one', inputs: parsed };
  }
  if (parsed.length === 0) throw new CliError(`${file}: the list of input sets is empty`);
  if (parsed.length > MAX_RUNS_PER_REQUEST)
    throw new CliError(`${file}: ${parsed.length} input sets, at most ${MAX_RUNS_PER_REQUEST} in one run (split the file)`);
  const bad = parsed.findIndex((item) => !isMapping(item));
  if (bad >= 0) throw new CliError(`${file}: input set ${bad} is not a mapping of input names to values`);
  return { kind: 'many', sets: parsed as Record<string, unknown>[] };
}

function jsonLines(file: string, lines: readonly string[]): unknown[] {
  return lines.map((line, i) => {
    try {
      return JSON.parse(line) as unknown;
    } catch (e: unknown) {
      throw new CliError(`${file}: input set ${i} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
}

function parseYamlFile(file: string, text: string): unknown {
  try {
    return parseYaml(text) as unknown;
  } catch (e: unknown) {
    throw new CliError(`${file}: not valid YAML or JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `--input key=value`: the value is everything after the first `=` and stays a string (the server coerces it). */
export function parseInputAssignment(assignment: string): [string, string] {
  const at = assignment.indexOf('=');
  if (at <= 0) throw new CliError(`--input "${assignment}": expected key=value`);
  return [assignment.slice(0, at), assignment.slice(at + 1)];
}

/** The inputs of one run: `--inputs-file` (a mapping, if given), then each `--input key=value` over it. */
export function runInputs(assignments: readonly string[], inputsFile: string | undefined, cwd: string): Record<string, unknown> {
  const inputs: Record<string, unknown> = inputsFile ? readMappingFile(inputsFile, cwd) : {};
  for (const assignment of assignments) {
    const [key, value] = parseInputAssignment(assignment);
    inputs[key] = value;
  }
  return inputs;
}

/** The input sets of a run command: those of `--inputs-file` (one when none is given), each with every `--input key=value` over it. */
export function runInputSets(assignments: readonly string[], inputsFile: string | undefined, cwd: string): InputsFile {
  const overrides = assignments.map(parseInputAssignment);
  const withOverrides = (base: Record<string, unknown>) => ({ ...base, ...Object.fromEntries(overrides) });
  const read: InputsFile = inputsFile ? readInputsFile(inputsFile, cwd) : { kind: 'one', inputs: {} };
  return read.kind === 'one' ? { kind: 'one', inputs: withOverrides(read.inputs) } : { kind: 'many', sets: read.sets.map(withOverrides) };
}
