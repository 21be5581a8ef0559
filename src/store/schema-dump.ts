import { sql } from 'kysely';
import type { Store } from './store.ts';

/**
 * The schema a fresh migrate produces, as stable text: committed under store/schema/ and compared
 * by a test, so a migration that changes the schema in an unexpected way shows up in review.
 */
export async function dumpSchema(store: Store): Promise<string> {
  return store.caps.dialect === 'sqlite' ? dumpSqlite(store) : dumpPostgres(store);
}

async function dumpSqlite(store: Store): Promise<string> {
  const { rows } = await sql<{ sql: string }>`
    select sql from sqlite_master
    where sql is not null and name not like 'sqlite_%'
    order by case type when 'table' then 0 when 'index' then 1 else 2 end, name`.execute(store.db);
  return `${rows.map((r) => `${r.sql.trim()};`).join('\n\n')}\n`;
}

async function dumpPostgres(store: Store): Promise<string> {
  const columns = await sql<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
    column_default: string | null;
  }>`
    select table_name, column_name, data_type, is_nullable, column_default
    from information_schema.columns where table_schema = current_schema()
    order by table_name, ordinal_position`.execute(store.db);
  const constraints = await sql<{ table_name: string; name: string; def: string }>`
    select cl.relname as table_name, co.conname as name, pg_get_constraintdef(co.oid) as def
    from pg_constraint co join pg_class cl on cl.oid = co.conrelid join pg_namespace n on n.oid = cl.relnamespace
    where n.nspname = current_schema() order by cl.relname, co.conname`.execute(store.db);
  // Partitions come and go with the days (log retention): the dump names the partitioned parent and
  // its default partition only, so it does not change from one day to the next.
  const partitions = await sql<{ name: string }>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relispartition`.execute(store.db);
  const partitionNames = new Set(partitions.rows.map((p) => p.name));
  const partitioned = await sql<{ table_name: string; key: string; default_partition: string | null }>`
    select c.relname as table_name, pg_get_partkeydef(c.oid) as key, d.relname as default_partition
    from pg_partitioned_table pt join pg_class c on c.oid = pt.partrelid
    join pg_namespace n on n.oid = c.relnamespace left join pg_class d on d.oid = pt.partdefid
    where n.nspname = current_schema()`.execute(store.db);
  const partitionClause = new Map(
    partitioned.rows.map((p) => [
      p.table_name,
      ` partition by ${p.key}${p.default_partition ? `, default partition ${p.default_partition}` : ''}`,
    ]),
  );
  const indexes = await sql<{ tablename: string; indexdef: string }>`
    select tablename, indexdef from pg_indexes where schemaname = current_schema() order by tablename, indexname`.execute(store.db);
  const triggers = await sql<{ def: string }>`
    select pg_get_triggerdef(t.oid) as def
    from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and not t.tgisinternal order by c.relname, t.tgname`.execute(store.db);
  const functions = await sql<{ def: string }>`
    select pg_get_functiondef(p.oid) as def
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = current_schema() order by p.proname`.execute(store.db);
  const tables = new Map<string, string[]>();
  for (const c of columns.rows) {
    if (partitionNames.has(c.table_name)) continue;
    const line = `  ${c.column_name} ${c.data_type}${c.is_nullable === 'NO' ? ' not null' : ''}${c.column_default ? ` default ${c.column_default}` : ''}`;
    tables.set(c.table_name, [...(tables.get(c.table_name) ?? []), line]);
  }
  for (const c of constraints.rows) tables.get(c.table_name)?.push(`  constraint ${c.name} ${c.def}`);
  const schemaName = /^CREATE (?:UNIQUE )?INDEX \S+ ON (?:ONLY )?(\S+)\./;
  const blocks = [...tables].map(([name, lines]) => `table ${name} (\n${lines.join(',\n')}\n)${partitionClause.get(name) ?? ''};`);
  // Index definitions name the schema; tests run in throwaway schemas, so it is left out.
  const indexLines = indexes.rows
    .filter((i) => !partitionNames.has(i.tablename))
    .map((i) => `${i.indexdef.replace(schemaName, (m, s: string) => m.replace(`${s}.`, ''))};`);
  const schemaOf = (text: string) => text.replaceAll(`${store.schema ?? 'public'}.`, '');
  const triggerLines = triggers.rows.map((t) => `${schemaOf(t.def)};`);
  const functionBlocks = functions.rows.map((f) => schemaOf(f.def).trim());
  return `${blocks.join('\n\n')}\n\n${indexLines.join('\n')}\n\n${triggerLines.join('\n')}\n\n${functionBlocks.join('\n\n')}\n`;
}
