/**
 * The grammar of `{{ ... }}` placeholders, shared by definition validation (domain) and rendering
 * (engine) so that what the validator accepts is exactly what the renderer understands.
 *
 * Our roots: `inputs.<name>…`, `tasks.<id>.output…`, `secrets.<NAME>`, `trigger.<id|type|body…>` (what
 * started the execution: a schedule or a webhook and its body), `execution.<field>` and, in a `for_each` task, `item…` and `index` (elsewhere those two stay literal text). Anything else between braces (`{{.State.Running}}` in a `docker inspect --format`, a Helm or Jinja snippet
 * in a shell command) is "foreign" and stays literal text.
 */

/** A step into a value: an object key or an array index. */
export type PathSegment = string | number;

export type TemplateReference =
  | { root: 'inputs'; name: string; path: PathSegment[] }
  | { root: 'tasks'; taskId: string; path: PathSegment[] }
  | { root: 'secrets'; name: string }
  | { root: 'trigger'; path: PathSegment[] }
  | { root: 'execution'; name: ExecutionField }
  /** The item of a `for_each` task run, and a path into it. */
  | { root: 'item'; path: PathSegment[] }
  /** The position of that item in its list, from 0. */
  | { root: 'index' };

/** What `{{ execution.<field> }}` may name. */
export const EXECUTION_FIELDS = ['id', 'workflow_id', 'workflow_version', 'trigger', 'correlation_id', 'parent_execution_id'] as const;
export type ExecutionField = (typeof EXECUTION_FIELDS)[number];

export type ParsedExpression =
  | { kind: 'reference'; reference: TemplateReference }
  /** Not ours. `looksLikeReference` flags `input.x`-style typos that validation should report. */
  | { kind: 'foreign'; looksLikeReference: boolean }
  | { kind: 'invalid'; reason: string };

/**
 * Every placeholder in a string; group 1 is the trimmed expression. Global: use it only with
 * `String.prototype.replace` / `matchAll`, which do not leak `lastIndex` state between calls.
 */
export const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** A string that is one placeholder and nothing else (its value is passed through raw). */
export const WHOLE_PLACEHOLDER = /^\{\{\s*([^{}]*?)\s*\}\}$/;

const ROOT = /^([A-Za-z_][A-Za-z0-9_]*)([\s\S]*)$/;
const SEGMENT = /\.([A-Za-z0-9_$-]+)|\[(\d+)\]|\["([^"]*)"\]|\['([^']*)'\]/y;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DOTTED_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)+$/;

/** Classifies the text between the braces of one placeholder. */
export function parseTemplateExpression(expression: string): ParsedExpression {
  const match = ROOT.exec(expression);
  const root = match?.[1];
  if (
    match === null ||
    (root !== 'inputs' &&
      root !== 'tasks' &&
      root !== 'secrets' &&
      root !== 'trigger' &&
      root !== 'execution' &&
      root !== 'item' &&
      root !== 'index')
  ) {
    return { kind: 'foreign', looksLikeReference: DOTTED_IDENTIFIER.test(expression) };
  }
  const segments = parsePath(match[2] ?? '');
  if (segments === undefined) return { kind: 'invalid', reason: `cannot read path in "${expression}"` };
  const [first, second, ...rest] = segments;
  switch (root) {
    case 'inputs':
      if (typeof first !== 'string') return { kind: 'invalid', reason: `expected inputs.<name> in "${expression}"` };
      return { kind: 'reference', reference: { root, name: first, path: segments.slice(1) } };
    case 'tasks':
      if (typeof first !== 'string' || second !== 'output') {
        return { kind: 'invalid', reason: `expected tasks.<id>.output in "${expression}"` };
      }
      return { kind: 'reference', reference: { root, taskId: first, path: rest } };
    case 'secrets':
      if (segments.length !== 1 || typeof first !== 'string' || !NAME.test(first)) {
        return { kind: 'invalid', reason: `expected secrets.<NAME> in "${expression}"` };
      }
      return { kind: 'reference', reference: { root, name: first } };
    case 'trigger':
      if (first !== 'id' && first !== 'type' && first !== 'body') {
        return { kind: 'invalid', reason: `expected trigger.id, trigger.type or trigger.body in "${expression}"` };
      }
      if (first !== 'body' && segments.length > 1) return { kind: 'invalid', reason: `trigger.${first} has no fields, in "${expression}"` };
      return { kind: 'reference', reference: { root, path: segments } };
    case 'execution':
      if (segments.length !== 1 || !EXECUTION_FIELDS.includes(first as ExecutionField)) {
        return { kind: 'invalid', reason: `expected execution.<field> (${EXECUTION_FIELDS.join(', ')}) in "${expression}"` };
      }
      return { kind: 'reference', reference: { root, name: first as ExecutionField } };
    case 'item':
      return { kind: 'reference', reference: { root, path: segments } };
    case 'index':
      if (segments.length !== 0) return { kind: 'invalid', reason: `index has no fields in "${expression}"` };
      return { kind: 'reference', reference: { root } };
  }
}

/** Reads `.key`, `[0]`, `["key with dots"]` segments; `undefined` when anything else is left over. */
function parsePath(text: string): PathSegment[] | undefined {
  const segments: PathSegment[] = [];
  SEGMENT.lastIndex = 0;
  while (SEGMENT.lastIndex < text.length) {
    const m = SEGMENT.exec(text);
    if (m === null) return undefined;
    if (m[2] !== undefined) segments.push(Number(m[2]));
    else segments.push(m[1] ?? m[3] ?? m[4] ?? '');
  }
  return segments;
}

/** `body.items[0].name` — a path as users write it, for messages. */
export function formatPath(path: readonly PathSegment[]): string {
  return path
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z0-9_$-]+$/.test(s) ? (i === 0 ? s : `.${s}`) : `[${JSON.stringify(s)}]`))
    .join('');
}

/**
 * Calls `visit` for every string inside `value` (objects and arrays, depth first, keys not included)
 * with the path that leads to it. Cycles are not expected: values come from parsed YAML/JSON.
 */
export function walkStrings(value: unknown, visit: (text: string, path: PathSegment[]) => void, path: PathSegment[] = []): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, i) => walkStrings(item, visit, [...path, i]));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) walkStrings(item, visit, [...path, key]);
  }
}
