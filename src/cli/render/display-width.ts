/**
 * The number of terminal columns a string takes: colour codes take none, combining marks and
 * zero-width characters none, East Asian wide characters and most emoji two. Enough to align the
 * CLI's tables; a full Unicode width table would cost more start-up time than every table it aligns.
 */
// eslint-disable-next-line no-control-regex -- the escape character is what a colour code starts with
const ANSI = /\x1b\[[0-9;]*m/g;

/** Code point ranges (inclusive) that take two columns: CJK, Hangul, full-width forms, emoji. */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];

function isZeroWidth(cp: number): boolean {
  return (cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x200b && cp <= 0x200f) || cp === 0xfe0f || cp === 0xfe0e || cp < 0x20;
}

export function stripColours(text: string): string {
  return text.replace(ANSI, '');
}

export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of stripColours(text)) {
    const cp = ch.codePointAt(0)!;
    if (isZeroWidth(cp)) continue;
    width += WIDE.some(([from, to]) => cp >= from && cp <= to) ? 2 : 1;
  }
  return width;
}
