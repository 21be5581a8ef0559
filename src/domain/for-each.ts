/**
 * `for_each` and `if` as written in a definition: an expression, optionally wrapped in `{{ }}` like
 * the templates beside it (`for_each: "{{ inputs.servers }}"`, `if: "inputs.env == 'prod'"`).
 */

/** Items one `for_each` task may have: each is a task run, recorded and shown. */
export const MAX_FOR_EACH_ITEMS = 1000;

/** The highest `concurrency` a definition may ask for. */
export const MAX_CONCURRENCY = 1000;

const WRAPPED = /^\{\{([\s\S]*)\}\}$/;

/** The expression inside an `if:` or `for_each:` value, without its optional `{{ }}`. */
export function expressionOf(value: string): string {
  const trimmed = value.trim();
  const inner = WRAPPED.exec(trimmed)?.[1];
  return (inner ?? trimmed).trim();
}

/** The task ids an expression names as `tasks.<id>` (validation checks they are upstream). */
export function taskIdsIn(expression: string): string[] {
  return [...new Set([...expression.matchAll(/\btasks\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] ?? ''))];
}
