import Anser from 'anser';

/** One run of text with its ANSI styling, as data: React renders the text as text, never as HTML. */
export interface AnsiChunk {
  text: string;
  /** CSS classes: `ansi-red-fg`, `ansi-bright-blue-bg`, `ansi-bold`… */
  classes: string[];
  /** 24-bit colours as `rgb(r, g, b)`, when the line used them. */
  color?: string;
  background?: string;
}

const ESC = '\u001b';

export function ansiChunks(message: string): AnsiChunk[] {
  // most lines have no escape at all: skip the parser
  if (!message.includes(ESC)) return [{ text: message, classes: [] }];
  return Anser.ansiToJson(message, { use_classes: true, remove_empty: true }).map((entry) => {
    const classes: string[] = [];
    const chunk: AnsiChunk = { text: entry.content, classes };
    if (entry.fg === 'ansi-truecolor' && entry.fg_truecolor) chunk.color = `rgb(${entry.fg_truecolor})`;
    else if (entry.fg) classes.push(`${entry.fg}-fg`);
    if (entry.bg === 'ansi-truecolor' && entry.bg_truecolor) chunk.background = `rgb(${entry.bg_truecolor})`;
    else if (entry.bg) classes.push(`${entry.bg}-bg`);
    for (const d of entry.decorations) classes.push(`ansi-${d}`);
    return chunk;
  });
}
