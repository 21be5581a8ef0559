import { sql, type Compilable, type RawBuilder } from 'kysely';

/**
 * Several data-modifying statements as one, on PostgreSQL: each the WITH `<prefix>_<i>` (each runs
 * once, against the same snapshot), and `rows`, the union of what they return. One round trip where
 * there were as many as statements.
 */
export function statementsAsWiths(
  prefix: string,
  statements: readonly Compilable[],
): { withs: RawBuilder<unknown>; rows: RawBuilder<unknown> } {
  const name = (i: number) => sql.raw(`${prefix}_${i}`);
  return {
    withs: sql.join(statements.map((s, i) => sql`${name(i)} as (${s})`)),
    rows: sql.join(
      statements.map((_, i) => sql`select * from ${name(i)}`),
      sql` union all `,
    ),
  };
}
