import { formatPath, parseTemplateExpression, PLACEHOLDER, type PathSegment } from '../domain/template-reference.ts';
import { documentMarkdown, substituteLiteralText } from './markdown-literal-text.ts';
import { sanitizeDocumentHtml } from './sanitize-document-html.ts';

/**
 * A workflow's procedure document as the people running one execution read it: `{{ inputs.x }}`
 * replaced by that execution's values, then rendered to HTML that is safe to show (DESIGN.md,
 * "Definition format"). Unlike task inputs, a document with a gap is still worth reading, so nothing
 * here fails on a missing value.
 */

/** What stands in for a secret; the same mask the engine stores (engine/masker.ts, not importable here). */
const MASK = '***';

export interface ProcedureDocumentValues {
  /** The execution's inputs, masked or not: values of secret inputs are never read. */
  inputs: Record<string, unknown>;
  /** Inputs declared `secret: true`; they render as `***`. */
  secretInputNames: ReadonlySet<string>;
}

export interface RenderedProcedureDocument {
  /** The document with values substituted, each escaped so that it reads as text, never as markup. */
  markdown: string;
  /** `markdown` rendered (GFM) and sanitised against an allow-list; safe to insert into a page. */
  html: string;
}

/**
 * Renders `doc` for one execution. `{{ inputs.NAME }}` (optionally with a path, `inputs.cfg.host`)
 * becomes the value: strings as they are, anything else as JSON; secret inputs and `{{ secrets.X }}`
 * become `***`; an input without a value (absent or `null`) becomes `‹NAME›`, so the reader sees what
 * is missing. Other placeholders (`{{ tasks.x.output }}`, foreign `{{ .Field }}`) stay as written.
 */
export function renderProcedureDocument(doc: string, values: ProcedureDocumentValues): RenderedProcedureDocument {
  const markdown = substituteLiteralText(doc, PLACEHOLDER, (expression) => placeholderText(expression, values));
  return { markdown, html: sanitizeDocumentHtml(documentMarkdown.parse(markdown, { async: false })) };
}

/** The text a placeholder shows, or `undefined` to leave it as written. */
function placeholderText(expression: string, values: ProcedureDocumentValues): string | undefined {
  const parsed = parseTemplateExpression(expression);
  if (parsed.kind !== 'reference') return undefined;
  const reference = parsed.reference;
  switch (reference.root) {
    case 'secrets':
      return MASK;
    case 'tasks':
    case 'trigger':
      return undefined;
    case 'inputs':
      return inputText(reference.name, reference.path, values);
  }
}

function inputText(name: string, path: PathSegment[], { inputs, secretInputNames }: ProcedureDocumentValues): string {
  // Checked before the value is looked at: whether a secret is set is not the document's to say either.
  if (secretInputNames.has(name)) return MASK;
  const value = Object.hasOwn(inputs, name) ? inputs[name] : undefined;
  // Masked before it was stored (it held a secret): a path into it leads nowhere, and that is not a gap.
  if (value === MASK) return MASK;
  const found = follow(value, path);
  return found === undefined || found === null ? `‹${formatPath([name, ...path])}›` : stringify(found);
}

/** The value at `path` inside `value` (own keys and array indices only), or `undefined`. */
function follow(value: unknown, path: readonly PathSegment[]): unknown {
  let current = value;
  for (const segment of path) {
    const container = typeof segment === 'number' ? Array.isArray(current) : typeof current === 'object' && current !== null;
    if (!container || !Object.hasOwn(current as object, segment)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // A BigInt or a cycle cannot come from parsed JSON, but a document must render regardless.
    return String(value);
  }
}
