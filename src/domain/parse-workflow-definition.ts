import YAML, { LineCounter } from 'yaml';
import { jsonNestsDeeperThan, MAX_NESTING_DEPTH, valueNestsDeeperThan, yamlNestsDeeperThan } from './nesting-depth.ts';
import { z } from 'zod';

import { checkDefinition, formatProblemPath, ID_PATTERN, ID_RULE, MAX_ID_LENGTH } from './definition-checks.ts';
import { parseDurationMs } from './duration.ts';
import { checkTriggerInputs, checkTriggers } from './trigger-checks.ts';
import { InvalidDefinitionError } from './errors.ts';
import { MAX_CONCURRENCY } from './for-each.ts';
import { INPUT_TYPES, TASK_TYPES } from './workflow-definition.ts';
import type { TaskDefinition, TriggerDefinition, WorkflowDefinition } from './workflow-definition.ts';

export { topologicalOrder } from './definition-checks.ts';

const id = z
  .string()
  .regex(ID_PATTERN, { error: ID_RULE })
  .max(MAX_ID_LENGTH, { error: `must be at most ${MAX_ID_LENGTH} characters` });

/**
 * A duration as users wrote it, kept as a string (trimmed). Numbers are refused here even though
 * `parseDurationMs` reads them as milliseconds: `timeout: 30` in YAML almost always means seconds.
 */
function duration(options: { positive: boolean }) {
  return z.unknown().transform((value, ctx) => {
    const ms = typeof value === 'string' ? parseDurationMs(value) : undefined;
    if (ms === undefined) {
      const hint = typeof value === 'number' ? ` (write a unit, e.g. "${value}s")` : '';
      ctx.addIssue({ code: 'custom', message: `invalid duration ${show(value)}${hint}` });
      return z.NEVER;
    }
    if (options.positive && ms === 0) {
      ctx.addIssue({ code: 'custom', message: 'must be greater than 0' });
      return z.NEVER;
    }
    return (value as string).trim();
  });
}

const inputSchema = z.strictObject({
  type: z.enum(INPUT_TYPES).optional(),
  description: z.string().optional(),
  default: z.unknown().optional(),
  required: z.boolean().optional(),
  secret: z.boolean().optional(),
});

const taskSchema = z.strictObject({
  id,
  type: z.enum(TASK_TYPES),
  name: z.string().optional(),
  // `needs: build` is accepted as `needs: [build]`: a common shorthand with one obvious meaning.
  needs: z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(z.string())).optional(),
  with: z.record(z.string(), z.unknown()).optional(),
  retry: z
    .strictObject({
      max: z.number().int().min(0).max(100),
      backoff: duration({ positive: false }).optional(),
    })
    .optional(),
  timeout: duration({ positive: true }).optional(),
  if: z.string().trim().min(1).optional(),
  for_each: z.string().trim().min(1).optional(),
  concurrency: z.number().int().min(1).max(MAX_CONCURRENCY).optional(),
  continue_on_failure: z.boolean().optional(),
});

const triggerSchema = z.strictObject({
  id,
  cron: z.string().trim().min(1).optional(),
  timezone: z.string().trim().min(1).optional(),
  catch_up: z.boolean().optional(),
  webhook: z.strictObject({}).optional(),
  inputs: z.record(z.string(), z.unknown()).optional(),
});

const definitionSchema = z.strictObject({
  id,
  name: z.string().trim().min(1),
  description: z.string().optional(),
  inputs: z.record(z.string(), inputSchema).optional(),
  doc: z.string().optional(),
  timeout: duration({ positive: true }).optional(),
  tasks: z.array(taskSchema).min(1),
  triggers: z.array(triggerSchema).optional(),
  on_failure: z.array(taskSchema).optional(),
});

type ParsedDefinition = z.output<typeof definitionSchema>;

const TYPE_WORDS: Record<string, string> = {
  string: 'must be a string',
  number: 'must be a number',
  int: 'must be an integer',
  boolean: 'must be true or false',
  object: 'must be an object',
  record: 'must be an object',
  array: 'must be an array',
};

/** Our wording for zod's issues: short, lower-case, and read after `path: `. */
const errorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'required' : (TYPE_WORDS[issue.expected] ?? `must be ${issue.expected}`);
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string') return issue.minimum === 1 ? 'must not be empty' : undefined;
      if (issue.origin === 'array') return issue.minimum === 1 ? 'must not be empty' : undefined;
      return `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'number' ? `must be at most ${String(issue.maximum)}` : undefined;
    default:
      return undefined;
  }
};

/**
 * Reads and validates a workflow definition: YAML text, JSON text, or an already-parsed object.
 * Throws `InvalidDefinitionError` listing every problem found, each prefixed by its path
 * (`tasks[2].needs: unknown task "biuld"`). Returns the normalised definition: defaults filled in
 * (`needs: []`, `with: {}`, input `type: string`, retry `backoff: 1s`), literal HTTP methods and log
 * levels upper-cased.
 *
 * A string `source` is text: without `format` it is read as YAML, which also reads JSON and reports
 * line and column. Anything else is taken as the already-parsed document.
 */
export function parseWorkflowDefinition(source: unknown, format?: 'yaml' | 'json'): WorkflowDefinition {
  if (typeof source !== 'string' && valueNestsDeeperThan(source)) throw tooDeep();
  const raw = typeof source === 'string' ? load(source, format) : source;
  const result = definitionSchema.safeParse(raw, { error: errorMap });
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) problems.push(`${formatProblemPath([...issue.path, key])}: unknown field`);
      } else {
        problems.push(`${formatProblemPath(issue.path)}: ${issue.message}`);
      }
    }
  }
  // The semantic checks read the raw value defensively, so they still run when the shape is wrong
  // elsewhere: a user fixing one problem should not discover the next one only on the next attempt.
  problems.push(...checkDefinition(raw), ...checkTriggers(raw));
  if (problems.length > 0 || !result.success) throw new InvalidDefinitionError(inDocumentOrder([...new Set(problems)]));
  const definition = normalise(result.data);
  const inputProblems = checkTriggerInputs(definition);
  if (inputProblems.length > 0) throw new InvalidDefinitionError(inputProblems);
  return definition;
}

function tooDeep(): InvalidDefinitionError {
  return new InvalidDefinitionError([`the definition nests deeper than ${MAX_NESTING_DEPTH} levels`]);
}

/**
 * Text to a value, bounded before anything recursive sees it: the nesting depth is measured first,
 * and YAML aliases are limited (an "anchor bomb" of aliases of aliases would expand exponentially).
 */
function load(text: string, format: 'yaml' | 'json' | undefined): unknown {
  if (format === 'json' ? jsonNestsDeeperThan(text) : yamlNestsDeeperThan(text)) throw tooDeep();
  if (format === 'json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (e: unknown) {
      throw new InvalidDefinitionError([`json: ${jsonErrorMessage(text, e)}`]);
    }
  }
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, prettyErrors: false });
  const error = doc.errors[0];
  if (error !== undefined) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    throw new InvalidDefinitionError([`yaml: line ${line}, column ${col}: ${error.message}`]);
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
  } catch (e: unknown) {
    // yaml throws a ReferenceError for "excessive alias count"; nothing else in toJS is expected to throw.
    throw new InvalidDefinitionError([`yaml: ${e instanceof Error ? e.message : String(e)} (at most ${MAX_ALIAS_COUNT} alias expansions)`]);
  }
}

/** Aliases a definition may expand; real definitions use a handful, an anchor bomb needs millions. */
const MAX_ALIAS_COUNT = 100;

function normalise(data: ParsedDefinition): WorkflowDefinition {
  const inputs: WorkflowDefinition['inputs'] = {};
  for (const [name, input] of Object.entries(data.inputs ?? {})) {
    inputs[name] = {
      type: input.type ?? 'string',
      ...(input.description !== undefined && { description: input.description }),
      ...(input.default !== undefined && { default: input.default }),
      required: input.required ?? false,
      secret: input.secret ?? false,
    };
  }
  const normaliseTask = (task: ParsedDefinition['tasks'][number]): TaskDefinition => {
    const withValues = { ...task.with };
    for (const key of ['method', 'level'] as const) {
      const value = withValues[key];
      if (typeof value === 'string' && !value.includes('{{')) withValues[key] = value.toUpperCase();
    }
    return {
      id: task.id,
      type: task.type,
      ...(task.name !== undefined && { name: task.name }),
      needs: [...new Set(task.needs ?? [])],
      with: withValues,
      ...(task.retry !== undefined && { retry: { max: task.retry.max, backoff: task.retry.backoff ?? '1s' } }),
      ...(task.timeout !== undefined && { timeout: task.timeout }),
      ...(task.if !== undefined && { if: task.if }),
      ...(task.for_each !== undefined && { for_each: task.for_each }),
      ...(task.concurrency !== undefined && { concurrency: task.concurrency }),
      ...(task.continue_on_failure !== undefined && { continue_on_failure: task.continue_on_failure }),
    };
  };
  const tasks = data.tasks.map(normaliseTask);
  return {
    id: data.id,
    name: data.name,
    ...(data.description !== undefined && { description: data.description }),
    inputs,
    ...(data.doc !== undefined && { doc: data.doc }),
    ...(data.timeout !== undefined && { timeout: data.timeout }),
    tasks,
    // Absent rather than empty: a definition without triggers keeps the checksum it always had.
    ...(data.triggers !== undefined && data.triggers.length > 0 && { triggers: data.triggers.map(normaliseTrigger) }),
    ...(data.on_failure !== undefined && data.on_failure.length > 0 && { on_failure: data.on_failure.map(normaliseTask) }),
  };
}

function normaliseTrigger(trigger: NonNullable<ParsedDefinition['triggers']>[number]): TriggerDefinition {
  const inputs = trigger.inputs ?? {};
  if (trigger.cron === undefined) return { id: trigger.id, type: 'webhook', inputs };
  return {
    id: trigger.id,
    type: 'schedule',
    cron: trigger.cron,
    timezone: trigger.timezone ?? 'UTC',
    inputs,
    catchUp: trigger.catch_up ?? false,
  };
}

const SECTIONS = ['definition', 'id', 'name', 'description', 'inputs', 'doc', 'timeout', 'triggers', 'tasks', 'on_failure'];

/**
 * Problems grouped the way the file reads: top-level fields in their usual order, then trigger by trigger and task by task
 * (whole-graph problems such as cycles after the tasks). The sort is stable, so within one field the
 * schema's problems stay ahead of the semantic ones.
 */
function inDocumentOrder(problems: string[]): string[] {
  const key = (problem: string): [number, number] => {
    const section = /^[^.[:]*/.exec(problem)?.[0] ?? '';
    const rank = SECTIONS.indexOf(section);
    const index = /^(?:tasks|triggers|on_failure)\[(\d+)\]/.exec(problem)?.[1];
    return [rank === -1 ? SECTIONS.length : rank, index === undefined ? Number.MAX_SAFE_INTEGER : Number(index)];
  };
  return problems
    .map((problem) => ({ problem, key: key(problem) }))
    .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1])
    .map((p) => p.problem);
}

/** `line 1, column 10: Expected …`: Node reports a character offset, which nobody can find in a file. */
function jsonErrorMessage(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position === undefined) return message;
  const before = text.slice(0, Number(position)).split('\n');
  const where = `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
  return `${where}: ${message.replace(/ in JSON at position \d+.*$/s, '')}`;
}

function show(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}
