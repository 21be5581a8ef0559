/**
 * Characters in recorded text that a terminal would act on instead of showing: C0 controls but tab
 * and newline (ESC starts colour, cursor and OSC sequences — window titles, hyperlinks, clipboard
 * writes; BEL rings; CR and backspace overwrite what was printed), DEL, the C1 controls (0x9b is a
 * one-byte CSI), and the bidirectional overrides that make text read differently from what it is.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Recorded text (task output, titles, notes, errors) made safe to print: each control character
 * becomes its visible escape (`\x1b`, `\u202e`), so nothing a task printed can colour, move, retitle
 * or rewrite the reader's terminal, and piped output holds no escape codes but our own colours.
 */
export function neutralise(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
