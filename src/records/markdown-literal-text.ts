import { Marked, type Token, type Tokens } from 'marked';

/**
 * Puts values into Markdown source so that they read as the value and never as markup. Backslash
 * escapes, the usual answer, only work in running text: inside a code span or block they show as
 * backslashes (`ssh web\-01`), in a bare URL they end up in the link, and raw HTML ignores them. So the
 * source is parsed once with every value replaced by an inert token, each token's context is read off
 * the parse, and every value is written in the form its context needs.
 */

/**
 * The Markdown dialect of procedure documents (GFM, synchronous). Contexts are read with this same
 * instance's lexer, so what the escaping assumes is what the renderer does. Task-list boxes render as
 * ☐/☑ because the HTML sanitiser allows no `<input>`.
 */
export const documentMarkdown = new Marked(
  { gfm: true, async: false },
  { renderer: { checkbox: ({ checked }: Tokens.Checkbox): string => (checked ? '☑ ' : '☐ ') } },
);

/** Where a value lands; decides how it must be written. */
type Context = 'text' | 'code-block' | 'code-span' | 'html' | 'url';

interface Slot {
  context: Context;
  /** Inside a GFM table row, where a bare `|` splits the cell even inside code. */
  inTable: boolean;
}

/** Later contexts win when one token shows up in several (an autolink's text is also its href). */
const PRECEDENCE: readonly Context[] = ['text', 'html', 'code-block', 'code-span', 'url'];

const LINE_BREAK = /\r\n|\r|\n/g;
/** A line break with the indentation around it: one space in inline contexts. */
const LINE_BREAK_SPACE = /[ \t]*(?:\r\n|\r|\n)\s*/g;
const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/g;

/**
 * `markdown` with every match of `pattern` (global; its first group is passed on) replaced by the
 * literal text `literalFor` returns, or left as written when it returns `undefined`.
 */
export function substituteLiteralText(markdown: string, pattern: RegExp, literalFor: (expression: string) => string | undefined): string {
  // A marker the document does not contain, so that tokens cannot be confused with its text.
  let marker = 'RLVALUE';
  while (markdown.includes(marker)) marker += 'Q';
  const values: string[] = [];
  const tokenised = markdown.replace(pattern, (match, expression: string) => {
    const value = literalFor(expression);
    if (value === undefined) return match;
    values.push(value);
    // Letters and digits only, digit first: `<9…Z>` is neither an HTML tag nor an autolink.
    return `9${marker}${values.length - 1}Z`;
  });
  if (values.length === 0) return markdown;
  const token = new RegExp(`9${marker}(\\d+)Z`, 'g');
  const slots = classify(tokenised, token);
  return tokenised.replace(token, (_match, index: string, offset: number, source: string) => {
    const slot = slots.get(Number(index)) ?? { context: 'text', inTable: false };
    return write(values[Number(index)] ?? '', slot, source, offset);
  });
}

/** The context of every token, from one parse of the tokenised source. */
function classify(source: string, token: RegExp): Map<number, Slot> {
  const slots = new Map<number, Slot>();
  const slotsIn = (text: string | null | undefined): Slot[] =>
    [...(text ?? '').matchAll(token)].map((match) => {
      const index = Number(match[1]);
      const slot = slots.get(index) ?? { context: 'text', inTable: false };
      slots.set(index, slot);
      return slot;
    });
  const mark = (text: string | null | undefined, context: Context): void => {
    for (const slot of slotsIn(text)) {
      if (PRECEDENCE.indexOf(context) > PRECEDENCE.indexOf(slot.context)) slot.context = context;
    }
  };
  const tokens = documentMarkdown.lexer(source);
  void documentMarkdown.walkTokens(tokens, (t: Token) => {
    if (t.type === 'code') mark(t.raw, 'code-block');
    else if (t.type === 'codespan') mark(t.raw, 'code-span');
    else if (t.type === 'html') mark(t.raw, 'html');
    else if (t.type === 'link' || t.type === 'image' || t.type === 'def') mark((t as Tokens.Link | Tokens.Image | Tokens.Def).href, 'url');
    else if (t.type === 'table') for (const slot of slotsIn(t.raw)) slot.inTable = true;
  });
  // Reference definitions are also kept apart from the tokens, by label.
  for (const link of Object.values(tokens.links)) mark(link.href, 'url');
  return slots;
}

function write(value: string, slot: Slot, source: string, offset: number): string {
  const escaped = writeIn(slot.context, value, source, offset);
  return slot.inTable && slot.context.startsWith('code') ? escaped.replaceAll('|', '\\|') : escaped;
}

function writeIn(context: Context, value: string, source: string, offset: number): string {
  switch (context) {
    case 'text': {
      const text = value.replace(LINE_BREAK_SPACE, ' ').trim().replace(ASCII_PUNCTUATION, '\\$&');
      // After a lone backslash (`\{{ inputs.x }}`) the first escape would be eaten: keep that backslash literal.
      return precededByOddBackslashes(source, offset) && text.startsWith('\\') ? `\\${text}` : text;
    }
    case 'code-span':
      // A code span has no escapes and a backtick could end it, so backticks show as the look-alike ˋ.
      return value.replace(LINE_BREAK_SPACE, ' ').replaceAll('`', '\u02cb');
    case 'code-block':
      return codeBlockText(value, source, offset);
    case 'html':
      // Numeric references for everything but letters and digits: the value can end no attribute, tag or block.
      // eslint-disable-next-line no-control-regex -- control characters are among what must be encoded
      return value.replace(/[\x00-/:-@[-`{-\x7f]/g, (c) => `&#${c.charCodeAt(0)};`);
    case 'url':
      // Percent-encoded: whitespace, controls and what Markdown or HTML would read as syntax.
      return value.replace(
        // eslint-disable-next-line no-control-regex -- control characters are among what must be encoded
        /[\x00-\x20\x7f<>"'()[\]\\`{}|^]|&(?=#?\w+;)/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
      );
  }
}

/**
 * Inside a code block line breaks are kept (a multi-line command stays runnable), each continuation
 * line carrying the indentation and `>` of the line the placeholder is on so it stays in the block. A
 * value with a line that could close a fence is put on one line instead.
 */
function codeBlockText(value: string, source: string, offset: number): string {
  const lines = value.split(LINE_BREAK);
  if (lines.some((line) => /^\s*(```|~~~)/.test(line))) return lines.join(' ');
  const lineStart = source.lastIndexOf('\n', offset - 1) + 1;
  const prefix = /^[ \t>]*/.exec(source.slice(lineStart, offset))?.[0] ?? '';
  return lines.join(`\n${prefix}`);
}

function precededByOddBackslashes(source: string, offset: number): boolean {
  let count = 0;
  while (source[offset - count - 1] === '\\') count++;
  return count % 2 === 1;
}
