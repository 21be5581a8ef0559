import { formatPath, parseTemplateExpression, PLACEHOLDER, walkStrings, WHOLE_PLACEHOLDER } from '../domain/template-reference.ts';
import type { PathSegment, TemplateReference } from '../domain/template-reference.ts';

/**
 * Renders `{{ inputs.x }}`, `{{ tasks.<id>.output.<path> }}` and `{{ secrets.X }}` in task inputs.
 * The grammar lives in `domain/template-reference.ts`; anything else between braces is left as is.
 */

/** What placeholders are resolved against. */
export interface TemplateContext {
  inputs: Record<string, unknown>;
  /** Outputs of finished upstream tasks, by task id. */
  tasks: Record<string, { output: unknown }>;
  /** A secret's clear value, or `undefined` when it is not set. */
  secrets: (name: string) => string | undefined;
  /** `{{ execution.<field> }}`: the execution's id, workflow, trigger … */
  execution?: Record<string, unknown>;
  /** In one item's run of a `for_each` task: `{{ item }}` and `{{ index }}` (elsewhere they stay literal). */
  loop?: { item: unknown; index: number };
  /** What started the execution when a trigger of its definition did (`{{ trigger.body }}`). */
  trigger?: TriggerValues | undefined;
}

/** `{{ trigger.type }}`, `{{ trigger.id }}`, `{{ trigger.body… }}` (a webhook's JSON body). */
export type TriggerValues = {
  type: string;
  id?: string;
  body?: unknown;
};

/**
 * The `trigger` of templates: how the execution started (`schedule`, `webhook`, `cli`, `api` …) and,
 * when a trigger of its definition started it, that trigger's id and a webhook's body.
 */
export function triggerValuesOf(execution: { trigger: string; triggerId: string | null; triggerBody: unknown }): TriggerValues {
  return {
    type: execution.trigger,
    ...(execution.triggerId === null ? {} : { id: execution.triggerId }),
    ...(execution.triggerBody === undefined ? {} : { body: execution.triggerBody }),
  };
}

/** A placeholder that cannot be resolved; names the expression so the user can find it. */
export class TemplateError extends Error {
  readonly code = 'TEMPLATE_ERROR';
  constructor(
    readonly expression: string,
    reason: string,
  ) {
    super(`{{ ${expression} }}: ${reason}`);
    this.name = 'TemplateError';
  }
}

/**
 * Renders every string inside `value` (objects and arrays are walked; keys are not rendered). A string
 * that is exactly one placeholder yields the referenced value itself (an object, a number …);
 * placeholders embedded in text are stringified, objects as JSON. Throws `TemplateError` on a missing
 * input, a task without output, a missing path or an unset secret.
 */
export function renderValue(value: unknown, ctx: TemplateContext): unknown {
  if (typeof value === 'string') return renderString(value, ctx);
  if (Array.isArray(value)) return value.map((item) => renderValue(item, ctx));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = renderValue(item, ctx);
    return out;
  }
  return value;
}

/** One string; see `renderValue`. */
export function renderString(text: string, ctx: TemplateContext): unknown {
  const whole = WHOLE_PLACEHOLDER.exec(text);
  if (whole !== null) {
    const reference = referenceOf(whole[1] ?? '', ctx);
    if (reference !== undefined) return resolve(whole[1] ?? '', reference, ctx);
  }
  return text.replace(PLACEHOLDER, (match, expression: string) => {
    const reference = referenceOf(expression, ctx);
    return reference === undefined ? match : stringify(resolve(expression, reference, ctx));
  });
}

/** The `X` of every `{{ secrets.X }}` inside `value`, once each, in order of appearance. */
export function collectSecretNames(value: unknown): string[] {
  return collectReferences(value, (r) => (r.root === 'secrets' ? r.name : undefined));
}

/** The `<id>` of every `{{ tasks.<id>.output… }}` inside `value`, once each: the outputs rendering needs. */
export function collectTaskReferences(value: unknown): string[] {
  return collectReferences(value, (r) => (r.root === 'tasks' ? r.taskId : undefined));
}

function collectReferences(value: unknown, pick: (reference: TemplateReference) => string | undefined): string[] {
  const found = new Set<string>();
  walkStrings(value, (text) => {
    for (const match of text.matchAll(PLACEHOLDER)) {
      const parsed = parseTemplateExpression(match[1] ?? '');
      const name = parsed.kind === 'reference' ? pick(parsed.reference) : undefined;
      if (name !== undefined) found.add(name);
    }
  });
  return [...found];
}

/**
 * Renders the procedure document with the execution's inputs. Unlike task inputs, a placeholder that
 * cannot be resolved stays visible as written: a document with a gap is still worth reading, and the
 * gap shows the reader what is missing. Pass masked inputs: the rendered document is stored and shown.
 */
export function renderDocument(doc: string, inputs: Record<string, unknown>): string {
  return doc.replace(PLACEHOLDER, (match, expression: string) => {
    const parsed = parseTemplateExpression(expression);
    if (parsed.kind !== 'reference' || parsed.reference.root !== 'inputs') return match;
    const { name, path } = parsed.reference;
    if (!Object.hasOwn(inputs, name)) return match;
    const found = walkPath(inputs[name], path);
    return found.ok ? stringify(found.value) : match;
  });
}

/** A secret from the environment: `{{ secrets.DB_PASSWORD }}` reads `RUNLEDGER_SECRET_DB_PASSWORD`. An empty variable counts as unset. */
export function secretFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[`RUNLEDGER_SECRET_${name}`];
  return value === undefined || value === '' ? undefined : value;
}

function referenceOf(expression: string, ctx: TemplateContext): TemplateReference | undefined {
  const parsed = parseTemplateExpression(expression);
  if (parsed.kind === 'invalid') throw new TemplateError(expression, parsed.reason);
  if (parsed.kind !== 'reference') return undefined;
  // Outside a for_each task, `{{ item }}` is someone else's template syntax (Jinja, Helm): left as written.
  if ((parsed.reference.root === 'item' || parsed.reference.root === 'index') && ctx.loop === undefined) return undefined;
  return parsed.reference;
}

function resolve(expression: string, reference: TemplateReference, ctx: TemplateContext): unknown {
  switch (reference.root) {
    case 'secrets': {
      const value = ctx.secrets(reference.name);
      if (value === undefined) {
        throw new TemplateError(expression, `secret "${reference.name}" is not set (RUNLEDGER_SECRET_${reference.name})`);
      }
      return value;
    }
    case 'inputs': {
      const value = Object.hasOwn(ctx.inputs, reference.name) ? ctx.inputs[reference.name] : undefined;
      if (value === undefined) throw new TemplateError(expression, `input "${reference.name}" has no value`);
      return follow(expression, value, reference.path, [reference.name]);
    }
    case 'trigger': {
      if (ctx.trigger === undefined) throw new TemplateError(expression, 'no trigger is known here');
      if (reference.path[0] === 'id' && ctx.trigger.id === undefined) {
        throw new TemplateError(expression, `the execution was started by ${ctx.trigger.type}, not by a trigger of the workflow`);
      }
      if (reference.path[0] === 'body' && ctx.trigger.body === undefined) {
        throw new TemplateError(expression, 'the execution has no trigger body (only a webhook request with a body brings one)');
      }
      return follow(expression, ctx.trigger, reference.path, ['trigger']);
    }
    case 'tasks': {
      const task = Object.hasOwn(ctx.tasks, reference.taskId) ? ctx.tasks[reference.taskId] : undefined;
      if (task === undefined || task.output === undefined) {
        throw new TemplateError(expression, `task "${reference.taskId}" has no output`);
      }
      return follow(expression, task.output, reference.path, []);
    }
    case 'execution': {
      const value = ctx.execution?.[reference.name];
      if (value === undefined) throw new TemplateError(expression, `execution.${reference.name} is not available here`);
      return value;
    }
    case 'item':
      return follow(expression, ctx.loop?.item, reference.path, ['item']);
    case 'index':
      return ctx.loop?.index;
  }
}

/** `prefix` only makes the message read naturally: `labels.team` for inputs, `body.items[0]` for outputs. */
function follow(expression: string, value: unknown, path: readonly PathSegment[], prefix: PathSegment[]): unknown {
  const found = walkPath(value, path);
  if (!found.ok) {
    throw new TemplateError(expression, `no value at ${formatPath([...prefix, ...path.slice(0, found.depth + 1)])}`);
  }
  return found.value;
}

type Walked = { ok: true; value: unknown } | { ok: false; depth: number };

/** Own properties only: `{{ inputs.x.constructor }}` must not reach into prototypes. */
function walkPath(value: unknown, path: readonly PathSegment[]): Walked {
  let current = value;
  for (const [depth, segment] of path.entries()) {
    const container = typeof segment === 'number' ? Array.isArray(current) : isObject(current);
    if (!container || !Object.hasOwn(current as object, segment)) return { ok: false, depth };
    current = (current as Record<PropertyKey, unknown>)[segment];
    if (current === undefined) return { ok: false, depth };
  }
  return { ok: true, value: current };
}

function stringify(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isObject(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
