import { InvalidInputsError } from './errors.ts';
import { jsonNestsDeeperThan } from './nesting-depth.ts';
import type { InputType, WorkflowDefinition } from './workflow-definition.ts';

/**
 * The inputs an execution runs with: what the caller provided, coerced to the declared types, plus
 * defaults. Strings are coerced because the CLI cannot send anything else (`--input count=3` arrives
 * as `"3"`); values of other types (JSON from the API) must already have the declared type.
 * `null` counts as not provided. Throws `InvalidInputsError` listing every problem, e.g.
 * `inputs.count: expected integer, got "abc"`, `inputs.server: required`,
 * `inputs.foo: not declared by workflow deploy_service`. A secret input's value never appears in a
 * message (`got ***`).
 */
export function resolveInputs(def: WorkflowDefinition, provided: Record<string, unknown>): Record<string, unknown> {
  const problems: string[] = [];
  const resolved: Record<string, unknown> = {};
  for (const [name, input] of Object.entries(def.inputs)) {
    const value = Object.hasOwn(provided, name) ? provided[name] : undefined;
    if (value === undefined || value === null) {
      if (input.default !== undefined) resolved[name] = structuredClone(input.default);
      else if (input.required) problems.push(`inputs.${name}: required`);
      continue;
    }
    const coerced = coerceInput(value, input.type);
    if (coerced.ok) resolved[name] = coerced.value;
    else problems.push(`inputs.${name}: expected ${input.type}, got ${input.secret ? '***' : preview(value)}`);
  }
  for (const name of Object.keys(provided)) {
    if (!Object.hasOwn(def.inputs, name)) problems.push(`inputs.${name}: not declared by workflow ${def.id}`);
  }
  if (problems.length > 0) throw new InvalidInputsError(problems);
  return resolved;
}

type Coerced = { ok: true; value: unknown } | { ok: false };

const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const INTEGER = /^[-+]?\d+$/;

/** `value` as `type`, reading strings the way a shell user would type them. */
export function coerceInput(value: unknown, type: InputType): Coerced {
  if (matchesInputType(value, type)) return { ok: true, value };
  if (typeof value !== 'string') return { ok: false };
  const text = value.trim();
  switch (type) {
    case 'string':
      return { ok: true, value };
    case 'number':
      return NUMBER.test(text) ? { ok: true, value: Number(text) } : { ok: false };
    case 'integer': {
      const n = Number(text);
      return INTEGER.test(text) && Number.isSafeInteger(n) ? { ok: true, value: n } : { ok: false };
    }
    case 'boolean': {
      const lower = text.toLowerCase();
      return lower === 'true' || lower === 'false' ? { ok: true, value: lower === 'true' } : { ok: false };
    }
    case 'object':
    case 'array': {
      let parsed: unknown;
      if (jsonNestsDeeperThan(text)) return { ok: false };
      try {
        parsed = JSON.parse(text);
      } catch {
        return { ok: false };
      }
      return matchesInputType(parsed, type) ? { ok: true, value: parsed } : { ok: false };
    }
  }
}

/** Whether `value` already has the declared type (no coercion). */
export function matchesInputType(value: unknown, type: InputType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
  }
}

/** `must be an integer` — the rule for a declared type, as a definition problem. */
export function describeInputType(type: InputType): string {
  switch (type) {
    case 'boolean':
      return 'must be true or false';
    case 'integer':
    case 'object':
    case 'array':
      return `must be an ${type}`;
    default:
      return `must be a ${type}`;
  }
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
