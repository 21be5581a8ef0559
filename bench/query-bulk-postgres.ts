import pg from 'pg';
import type { BulkTable, BulkWriter } from './query-bulk.ts';

/** Rows per INSERT … SELECT FROM unnest(…): one array parameter per column. */
const ROWS_PER_STATEMENT = 5000;

/**
 * Its own connection to the benchmark's schema, with `synchronous_commit = off` (generated rows need
 * no durability). Each statement sends one array per column and unnests them on the server: one
 * round trip and one parse for thousands of rows, the foreign keys and triggers still checked per row.
 */
export async function openPostgresBulkWriter(url: string, schema: string): Promise<BulkWriter> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  await client.query('set synchronous_commit = off');

  function text(table: BulkTable): string {
    const columns = table.columns.map(([name]) => `"${name}"`).join(', ');
    const arrays = table.columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
    return `insert into "${table.name}" (${columns}) select * from unnest(${arrays})`;
  }

  await client.query('begin');
  return {
    insert: async (table, rows) => {
      for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
        const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
        await client.query(
          text(table),
          table.columns.map((_, c) => chunk.map((row) => row[c])),
        );
      }
    },
    commit: async () => {
      await client.query('commit');
      await client.query('begin');
    },
    close: async () => {
      await client.query('commit');
      await client.end();
    },
  };
}
