import { Lexer, Parser } from 'yaml';

/**
 * How deep a JSON or YAML document may nest. Parsers, validators, the masker and the store's JSON
 * handling walk documents recursively; a 200,000-deep array overflows the stack of any of them. No
 * real input, definition or task output comes near this depth.
 */
export const MAX_NESTING_DEPTH = 64;

const OPEN_BRACKET = 0x5b; // [
const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether JSON text nests deeper than `max`, found by one pass over the text before any parser sees
 * it (brackets inside strings do not count). Malformed text is left for the parser to refuse.
 */
export function jsonNestsDeeperThan(text: string, max = MAX_NESTING_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}

/**
 * Whether YAML text nests deeper than `max`, found before the document is composed. Flow collections
 * (`[`, `{`) are counted first from the lexer's tokens, which is fast and stops at the first token too
 * deep (quoted and plain scalars are single tokens: their brackets do not count); then block
 * collections (`- - - x` nests on one line) from the concrete syntax tree, walked without recursion.
 */
export function yamlNestsDeeperThan(text: string, max = MAX_NESTING_DEPTH): boolean {
  let flow = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') {
      if (++flow > max) return true;
    } else if (token === ']' || token === '}') {
      flow = Math.max(0, flow - 1);
    }
  }
  for (const document of new Parser().parse(text)) {
    const stack: Array<[unknown, number]> = [[document, 0]];
    while (stack.length > 0) {
      const [node, depth] = stack.pop()!;
      const type = (node as { type?: unknown }).type;
      const nested = COLLECTION_TOKENS.has(type as string) ? depth + 1 : depth;
      if (nested > max) return true;
      for (const child of Object.values(node as Record<string, unknown>)) {
        if (typeof child === 'object' && child !== null) stack.push([child, nested]);
      }
    }
  }
  return false;
}

const COLLECTION_TOKENS = new Set(['block-seq', 'block-map', 'flow-collection']);

/** Whether an already-parsed value nests deeper than `max`; iterative, so it cannot overflow itself. */
export function valueNestsDeeperThan(value: unknown, max = MAX_NESTING_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(item) ? (item as unknown[]) : Object.values(item as Record<string, unknown>)) {
      stack.push([child, depth + 1]);
    }
  }
  return false;
}
