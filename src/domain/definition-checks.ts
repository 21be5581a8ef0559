import { parseDurationMs } from './duration.ts';
import { InvalidDefinitionError } from './errors.ts';
import { checkExpression } from './expression.ts';
import { expressionOf, taskIdsIn } from './for-each.ts';
import { describeInputType, matchesInputType } from './resolve-inputs.ts';
import { parseTemplateExpression, PLACEHOLDER, walkStrings } from './template-reference.ts';
import { INPUT_TYPES, TASK_TYPES } from './workflow-definition.ts';
import type { InputType, TaskType, WorkflowDefinition } from './workflow-definition.ts';

/**
 * The checks of a workflow definition that a schema cannot express: unique ids, `needs` that name
 * real tasks, cycles, per-type `with` fields, template references. They read the raw, unvalidated
 * value defensively (anything may be missing or of the wrong type; the schema reports that).
 */

export const ID_PATTERN = /^[a-z][a-z0-9_]*$/;
export const ID_RULE = 'must match [a-z][a-z0-9_]*';
export const MAX_ID_LENGTH = 64;

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export const LOG_LEVEL_NAMES = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
/** `namespace/name`; no dots or slashes beyond the one, so a plugin name can never leave its directory. */
export const PLUGIN_PATTERN = /^[a-z0-9][a-z0-9_-]*\/[a-z0-9][a-z0-9_-]*$/;
/** A plugin's action is its first argument: no leading `-`, so it cannot pass for an option. */
const PLUGIN_ACTION = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

type Raw = Record<string, unknown>;

interface RawTask {
  /** `tasks`, or `on_failure` for the tasks that run after a failure. */
  section: 'tasks' | 'on_failure';
  index: number;
  raw: Raw;
  id: string | undefined;
  needs: string[];
}

/** Every semantic problem of `raw`, each prefixed by its path. */
export function checkDefinition(raw: unknown): string[] {
  if (!isRecord(raw)) return [];
  const problems: string[] = [];
  const inputs = isRecord(raw.inputs) ? raw.inputs : {};
  checkInputs(inputs, problems);

  const readTasks = (section: RawTask['section']): RawTask[] =>
    (Array.isArray(raw[section]) ? (raw[section] as unknown[]) : []).map((task: unknown, index) => {
      const r = isRecord(task) ? task : {};
      const needs = typeof r.needs === 'string' ? [r.needs] : Array.isArray(r.needs) ? r.needs : [];
      return {
        section,
        index,
        raw: r,
        id: typeof r.id === 'string' ? r.id : undefined,
        needs: needs.filter((n): n is string => typeof n === 'string'),
      };
    });
  const tasks = [...readTasks('tasks'), ...readTasks('on_failure')];

  // First occurrence wins, so a duplicate is reported once, at the later task. Ids are unique across
  // both lists: a task run is named by its task id alone.
  const byId = new Map<string, RawTask>();
  for (const task of tasks) {
    if (task.id === undefined) continue;
    if (byId.has(task.id)) problems.push(`${task.section}[${task.index}].id: duplicate task id "${task.id}"`);
    else byId.set(task.id, task);
  }
  const edges = new Map<string, string[]>();
  for (const task of tasks) {
    const valid: string[] = [];
    for (const need of task.needs) {
      const other = byId.get(need);
      if (need === task.id) problems.push(`${task.section}[${task.index}].needs: a task cannot need itself`);
      else if (!other) problems.push(`${task.section}[${task.index}].needs: unknown task "${need}"`);
      else if (other.section !== task.section)
        problems.push(`${task.section}[${task.index}].needs: "${need}" is in ${other.section}; a task needs tasks of its own list`);
      else valid.push(need);
    }
    if (task.id !== undefined && byId.get(task.id) === task) edges.set(task.id, valid);
    task.needs = valid;
  }
  for (const section of ['tasks', 'on_failure'] as const) {
    const ids = [...byId.values()].filter((t) => t.section === section).map((t) => t.id ?? '');
    for (const cycle of findCycles(ids, edges)) problems.push(`${section}: cycle ${cycle.join(' -> ')}`);
  }

  for (const task of tasks) {
    checkWith(task, problems);
    checkFlow(task, edges, problems);
    checkTemplates(task, inputs, edges, problems);
  }
  if (typeof raw.doc === 'string') {
    for (const name of inputReferences(raw.doc)) {
      if (!Object.hasOwn(inputs, name)) problems.push(`doc: references undeclared input "${name}"`);
    }
  }
  return problems;
}

function checkInputs(inputs: Raw, problems: string[]): void {
  for (const [name, input] of Object.entries(inputs)) {
    const at = formatProblemPath(['inputs', name]);
    if (!ID_PATTERN.test(name)) problems.push(`${at}: name ${ID_RULE}`);
    else if (name.length > MAX_ID_LENGTH) problems.push(`${at}: name must be at most ${MAX_ID_LENGTH} characters`);
    if (!isRecord(input) || input.default === undefined) continue;
    const type = input.type ?? 'string';
    if (!INPUT_TYPES.includes(type as InputType)) continue; // the schema reports the bad type
    if (!matchesInputType(input.default, type as InputType)) {
      problems.push(`${at}.default: ${describeInputType(type as InputType)}`);
    }
  }
}

/** Presence and basic type of each task type's `with` fields; values may be templates. */
function checkWith(task: RawTask, problems: string[]): void {
  const type = task.raw.type;
  if (!TASK_TYPES.includes(type as TaskType)) return;
  const w = task.raw.with === undefined ? {} : task.raw.with;
  if (!isRecord(w)) return;
  const at = (field: string) => `${task.section}[${task.index}].with.${field}`;
  const string = (field: string, required: boolean): string | undefined => {
    const value = w[field];
    if (value === undefined) {
      if (required) problems.push(`${at(field)}: required`);
    } else if (typeof value !== 'string') problems.push(`${at(field)}: must be a string`);
    else if (required && value.trim() === '') problems.push(`${at(field)}: must not be empty`);
    else return value;
    return undefined;
  };
  const oneOf = (field: string, allowed: readonly string[]) => {
    const value = string(field, false);
    if (value !== undefined && !value.includes('{{') && !allowed.includes(value.toUpperCase())) {
      problems.push(`${at(field)}: must be one of ${allowed.join(', ')}`);
    }
  };
  switch (type as TaskType) {
    case 'shell':
      string('command', true);
      oneOf('stderrLevel', LOG_LEVEL_NAMES);
      break;
    case 'http':
      string('url', true);
      oneOf('method', HTTP_METHODS);
      break;
    case 'log':
      if (w.message === undefined) problems.push(`${at('message')}: required`);
      else if (typeof w.message !== 'string') problems.push(`${at('message')}: must be a string`);
      oneOf('level', LOG_LEVEL_NAMES);
      break;
    case 'sleep': {
      const value = w.duration;
      if (value === undefined) problems.push(`${at('duration')}: required`);
      else if (typeof value !== 'string' && typeof value !== 'number') {
        problems.push(`${at('duration')}: must be a duration (string or number of milliseconds)`);
      } else if (!(typeof value === 'string' && value.includes('{{')) && parseDurationMs(value) === undefined) {
        problems.push(`${at('duration')}: invalid duration ${JSON.stringify(value)}`);
      }
      break;
    }
    case 'plugin': {
      const value = string('plugin', true);
      if (value !== undefined && !PLUGIN_PATTERN.test(value)) problems.push(`${at('plugin')}: must match namespace/name`);
      const action = string('action', false);
      if (action !== undefined && !action.includes('{{') && !PLUGIN_ACTION.test(action)) {
        problems.push(`${at('action')}: must match ${PLUGIN_ACTION.source}`);
      }
      oneOf('stderrLevel', LOG_LEVEL_NAMES);
      break;
    }
    case 'manual':
      string('description', false);
      break;
    case 'workflow': {
      const value = string('workflow', true);
      if (value !== undefined && !value.includes('{{') && !ID_PATTERN.test(value)) problems.push(`${at('workflow')}: ${ID_RULE}`);
      if (w.inputs !== undefined && !isRecord(w.inputs)) problems.push(`${at('inputs')}: must be an object`);
      break;
    }
  }
}

/** `if`, `for_each` and their companions: expressions that parse, upstream tasks only, options that apply. */
function checkFlow(task: RawTask, edges: Map<string, string[]>, problems: string[]): void {
  const at = (field: string) => `${task.section}[${task.index}].${field}`;
  const upstream = ancestors(task.needs, edges);
  const expression = (field: 'if' | 'for_each') => {
    const value = task.raw[field];
    if (typeof value !== 'string' || value.trim() === '') return; // the schema reports it
    const text = expressionOf(value);
    const problem = checkExpression(text);
    const shown = text.length > 100 ? `${text.slice(0, 100)}…` : text;
    if (problem !== null) problems.push(`${at(field)}: cannot read expression "${shown}": ${problem}`);
    for (const id of taskIdsIn(text)) {
      if (!upstream.has(id)) problems.push(`${at(field)}: references task "${id}" which is not among its needs`);
    }
  };
  expression('if');
  expression('for_each');
  if (task.raw.for_each === undefined) {
    for (const field of ['concurrency', 'continue_on_failure'] as const) {
      if (task.raw[field] !== undefined) problems.push(`${at(field)}: only applies with for_each`);
    }
  } else if (task.raw.type === 'manual') {
    problems.push(`${at('for_each')}: not available on manual steps`);
  }
}

/** `{{ tasks.X.output }}` must name an upstream task; `{{ inputs.Y }}` a declared input; `{{ item.x }}` a for_each task. */
function checkTemplates(task: RawTask, inputs: Raw, edges: Map<string, string[]>, problems: string[]): void {
  if (!isRecord(task.raw.with)) return;
  const upstream = ancestors(task.needs, edges);
  const loops = task.raw.for_each !== undefined;
  walkStrings(task.raw.with, (text, path) => {
    const at = formatProblemPath([task.section, task.index, 'with', ...path]);
    for (const match of text.matchAll(PLACEHOLDER)) {
      const expression = match[1] ?? '';
      const parsed = parseTemplateExpression(expression);
      if (parsed.kind === 'invalid') problems.push(`${at}: ${parsed.reason}`);
      else if (parsed.kind === 'foreign') {
        if (parsed.looksLikeReference) {
          problems.push(
            `${at}: unknown reference "${expression}" (expected inputs.<name>, tasks.<id>.output, secrets.<NAME>, trigger.body, execution.<field> or, with for_each, item)`,
          );
        }
      } else if (parsed.reference.root === 'item' && !loops && parsed.reference.path.length > 0) {
        problems.push(`${at}: "${expression}" is only set in a task with for_each`);
      } else if (parsed.reference.root === 'inputs' && !Object.hasOwn(inputs, parsed.reference.name)) {
        problems.push(`${at}: references undeclared input "${parsed.reference.name}"`);
      } else if (parsed.reference.root === 'tasks' && !upstream.has(parsed.reference.taskId)) {
        problems.push(`${at}: references task "${parsed.reference.taskId}" which is not among its needs`);
      }
    }
  });
}

function inputReferences(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const parsed = parseTemplateExpression(match[1] ?? '');
    if (parsed.kind === 'reference' && parsed.reference.root === 'inputs') names.push(parsed.reference.name);
  }
  return [...new Set(names)];
}

/** Transitive needs; safe on cyclic graphs (cycles are reported separately). */
function ancestors(needs: readonly string[], edges: Map<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...needs];
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(edges.get(id) ?? []));
  }
  return seen;
}

/**
 * Cycles in the `needs` graph, each written from its earliest task in the file and following `needs`:
 * `a -> b -> c -> a` means a needs b, b needs c and c needs a. Every cycle closed by a back edge of the
 * depth-first search is reported once; that is at least one per tangle, which is what a user needs.
 */
function findCycles(ids: readonly string[], edges: Map<string, string[]>): string[][] {
  const order = new Map(ids.map((id, i) => [id, i]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles = new Map<string, string[]>();
  const visit = (id: string): void => {
    state.set(id, 'open');
    stack.push(id);
    for (const next of edges.get(id) ?? []) {
      const s = state.get(next);
      if (s === undefined) visit(next);
      else if (s === 'open') {
        const cycle = stack.slice(stack.indexOf(next));
        const start = cycle.reduce((best, c, i) => ((order.get(c) ?? 0) < (order.get(cycle[best] ?? '') ?? 0) ? i : best), 0);
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        rotated.push(rotated[0] ?? next);
        cycles.set(rotated.join(' '), rotated);
      }
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of ids) if (!state.has(id)) visit(id);
  return [...cycles.values()];
}

/**
 * The tasks in an order that respects `needs`, ties broken by position in the file. Throws
 * `InvalidDefinitionError` on a cycle (a validated definition has none).
 */
export function topologicalOrder(def: WorkflowDefinition): string[] {
  const placed = new Set<string>();
  const order: string[] = [];
  while (order.length < def.tasks.length) {
    const next = def.tasks.find((t) => !placed.has(t.id) && t.needs.every((n) => placed.has(n)));
    if (next === undefined) {
      const rest = def.tasks.filter((t) => !placed.has(t.id)).map((t) => t.id);
      throw new InvalidDefinitionError([`tasks: cycle among ${rest.join(', ')}`]);
    }
    placed.add(next.id);
    order.push(next.id);
  }
  return order;
}

/** `tasks[2].with.headers.authorization`; the root itself is called `definition`. */
export function formatProblemPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'definition';
  return path
    .map((segment, i) => {
      if (typeof segment === 'number') return `[${segment}]`;
      const key = String(segment);
      if (!/^[A-Za-z_$][\w$-]*$/.test(key)) return `[${JSON.stringify(key)}]`;
      return i === 0 ? key : `.${key}`;
    })
    .join('');
}

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
