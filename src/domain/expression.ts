import { Environment } from '@marcbachmann/cel-js';
import safeRegex from 'safe-regex2';

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
  const known = checked.get(expression);
  if (known !== undefined) return known;
  let problem: string | null;
  try {
    const result = environment.check(expression);
    problem = result.valid ? unsafePattern(environment.parse(expression).ast) : firstLine(result.error?.message ?? 'invalid expression');
  } catch (e: unknown) {
    problem = firstLine(e instanceof Error ? e.message : String(e));
  }
  if (checked.size >= CHECKED_EXPRESSIONS) checked.delete(checked.keys().next().value!);
  checked.set(expression, problem);
  return problem;
}

/** Expressions checked before (every plan evaluates its definition's conditions again), by text. */
const checked = new Map<string, string | null>();
const CHECKED_EXPRESSIONS = 1000;

/**
 * Why a `matches` in the expression cannot be allowed, or null. `matches` runs JavaScript's
 * backtracking RegExp, whose time on a pattern like `(a+)+$` has no bound, and conditions are
 * evaluated while the planner holds the execution: its pattern must be a string literal without
 * nested quantifiers (safe-regex2's check), so the definition is refused when it is applied.
 */
function unsafePattern(node: unknown): string | null {
  if (Array.isArray(node)) {
    for (const item of node) {
      const problem = unsafePattern(item);
      if (problem !== null) return problem;
    }
    return null;
  }
  if (node === null || typeof node !== 'object') return null;
  const { op, args } = node as { op?: unknown; args?: unknown };
  if ((op === 'rcall' || op === 'call') && Array.isArray(args) && args[0] === 'matches') {
    // `s.matches(re)` is ['matches', s, [re]]; `matches(s, re)` is ['matches', [s, re]].
    const pattern: unknown = op === 'rcall' ? (args[2] as unknown[] | undefined)?.[0] : (args[1] as unknown[] | undefined)?.[1];
    const literal = pattern as { op?: unknown; args?: unknown } | undefined;
    if (literal?.op !== 'value' || typeof literal.args !== 'string')
      return 'matches() takes a string literal as its pattern (a pattern from a variable could take unbounded time)';
    if (!safeRegex(literal.args)) return `matches() pattern "${literal.args}" could take unbounded time (nested quantifiers); simplify it`;
  }
  return unsafePattern(args);
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
