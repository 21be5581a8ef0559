import {
  OperationNodeTransformer,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type PrimitiveValueListNode,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
  type ValueNode,
} from 'kysely';

/**
 * Text is made storable on the way in, the same on both dialects: PostgreSQL refuses NUL (U+0000)
 * in `text` and `jsonb`, and unpaired UTF-16 surrogates in `jsonb`, and one such character would
 * otherwise sink a whole log batch or a state change. Both become U+FFFD (the replacement character),
 * which is what a reader of the record then sees.
 */
export const REPLACEMENT = '\uFFFD';

// Unpaired surrogates: a high one not followed by a low one, or a low one not preceded by a high one.
// eslint-disable-next-line no-control-regex -- NUL is exactly what must not reach the store
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** The same, without the global flag's `lastIndex` state: for `test`. */
const HAS_UNSTORABLE = new RegExp(UNSTORABLE.source);

export function storableText(text: string): string {
  return HAS_UNSTORABLE.test(text) ? text.replace(UNSTORABLE, REPLACEMENT) : text;
}

/** A deep copy with every string (and object key) storable; the value itself when nothing needs it. */
export function storableValue(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storableValue);
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[storableText(key)] = storableValue(item);
    return out;
  }
  return value;
}

/** JSON text whose escapes PostgreSQL's `jsonb` accepts: no `\u0000`, no unpaired surrogate escapes. */
export function storableJson(value: unknown): string {
  const text = JSON.stringify(value ?? null);
  // Fast path: JSON.stringify writes NUL and unpaired surrogates as \u escapes, so their absence is plain to see.
  return /\\u(0000|d[89a-f])/i.test(text) ? JSON.stringify(storableValue(value) ?? null) : text;
}

class StorableTextTransformer extends OperationNodeTransformer {
  protected override transformValue(node: ValueNode): ValueNode {
    return typeof node.value === 'string' && HAS_UNSTORABLE.test(node.value) ? { ...node, value: storableText(node.value) } : node;
  }

  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    return { ...node, values: node.values.map((v) => (typeof v === 'string' ? storableText(v) : v)) };
  }
}

/** Whether any string value anywhere in the query tree needs `storableText`. */
function holdsUnstorableText(node: unknown): boolean {
  if (typeof node === 'string') return HAS_UNSTORABLE.test(node);
  if (typeof node !== 'object' || node === null || ArrayBuffer.isView(node)) return false;
  if (Array.isArray(node)) {
    for (const item of node) if (holdsUnstorableText(item)) return true;
    return false;
  }
  // Every query passes through here: a walk that allocates nothing, and skips the node kinds' names.
  const fields = node as Record<string, unknown>;
  for (const key in fields) {
    const value = fields[key];
    if (typeof value === 'string' ? key !== 'kind' && HAS_UNSTORABLE.test(value) : holdsUnstorableText(value)) return true;
  }
  return false;
}

/** Applies `storableText` to every string parameter of every query, whichever repository builds it. */
export class StorableTextPlugin implements KyselyPlugin {
  private readonly transformer = new StorableTextTransformer();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    // Almost no query holds such text: a read-only look first, and the copying transform only when needed.
    return holdsUnstorableText(args.node) ? this.transformer.transformNode(args.node) : args.node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}
