import { Environment } from '@marcbachmann/cel-js';

/**
 * Expressions in definitions (`if:`, a computed `for_each:`) are CEL, the Common Expression Language:
 * side-effect free, not Turing complete, evaluated by a library that never reaches JavaScript's
 * `eval`. Their variables are `inputs`, `tasks` (`tasks.<id>.output`), `execution` and `trigger`.
 *
 * CEL tells integers from doubles where JSON does not: a whole JSON number goes in as a CEL `int`
 * (so `inputs.count + 1` works), and an `int` comes back out as a JavaScript number.
 */

/** The variables an expression may name. */
export const EXPRESSION_VARIABLES = ['inputs', 'tasks', 'execution', 'trigger'] as const;

export interface ExpressionVariables {
  inputs: Record<string, unknown>;
  tasks: Record<string, { output: unknown }>;
  execution: Record<string, unknown>;
  trigger: Record<string, unknown>;
}

/** An expression that cannot be parsed or evaluated; the message names the expression. */
export class ExpressionError extends Error {
  constructor(
    readonly expression: string,
    readonly reason: string,
  ) {
    super(`expression "${expression}": ${reason}`);
    this.name = 'ExpressionError';
  }
}

/** Bounds on what one expression may be, so a definition cannot make the planner parse without end. */
const MAX_EXPRESSION_LENGTH = 2000;

const environment = (() => {
  let env = new Environment({ limits: { maxAstNodes: 1000, maxDepth: 32, maxListElements: 1000, maxMapEntries: 1000 } });
  for (const name of EXPRESSION_VARIABLES) env = env.registerVariable(name, 'map');
  return env;
})();

/** Why `expression` cannot be used (it does not parse, or names an unknown variable), or null when it can. */
export function checkExpression(expression: string): string | null {
  if (expression.length > MAX_EXPRESSION_LENGTH) return `longer than ${MAX_EXPRESSION_LENGTH} characters`;
  try {
    const result = environment.check(expression);
    return result.valid ? null : firstLine(result.error?.message ?? 'invalid expression');
  } catch (e: unknown) {
    return firstLine(e instanceof Error ? e.message : String(e));
  }
}

/** Evaluates `expression`; throws `ExpressionError` when it cannot (a missing key, a type mismatch, …). */
export function evaluateExpression(expression: string, variables: ExpressionVariables): unknown {
  const problem = checkExpression(expression);
  if (problem !== null) throw new ExpressionError(expression, problem);
  try {
    return fromCel(environment.evaluate(expression, toCel(variables) as Record<string, unknown>));
  } catch (e: unknown) {
    throw new ExpressionError(expression, firstLine(e instanceof Error ? e.message : String(e)));
  }
}

/** A condition: the expression must yield a boolean. */
export function evaluateCondition(expression: string, variables: ExpressionVariables): boolean {
  const value = evaluateExpression(expression, variables);
  if (typeof value !== 'boolean') throw new ExpressionError(expression, `yields ${describe(value)}, not true or false`);
  return value;
}

function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = toCel(item);
    return out;
  }
  return value;
}

function fromCel(value: unknown): unknown {
  if (typeof value === 'bigint') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value.toString();
  }
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(fromCel);
  if (value instanceof Map) return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), fromCel(v)]));
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = fromCel(item);
    return out;
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a map' : `${typeof value} ${JSON.stringify(value)}`;
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? text;
}
