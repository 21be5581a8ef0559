/**
 * A `LIKE … ESCAPE '\'` pattern matching `text` anywhere, case-insensitively when compared with
 * `lower(column)`: the user's `%`, `_` and `\` match themselves, not as wildcards.
 */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
