/**
 * Both dialects bound the parameters of one statement (SQLite 32,766, PostgreSQL 65,535): a
 * multi-row write of many rows goes out in parts of at most `size` rows.
 */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
