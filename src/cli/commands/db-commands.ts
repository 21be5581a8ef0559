import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Store } from '../../store/store.ts';
import type { CliContext } from '../cli-context.ts';

interface StoreFlags {
  dataDir?: string;
  databaseUrl?: string;
}

/** `runledger db migrate | rollback`: directly on the store, no server needed. */
export function registerDbCommands(program: Command, ctx: CliContext): void {
  const db = program.command('db').description('Database schema (works on the store directly; no server needed)');

  db.command('migrate')
    .description('Apply every pending migration')
    .option('--data-dir <dir>', 'data directory of the SQLite store (default RUNLEDGER_DATA_DIR or ./.runledger)')
    .option('--database-url <url>', 'PostgreSQL URL (default RUNLEDGER_DATABASE_URL)')
    .action(async (flags: StoreFlags) => {
      const lines = await withStore(ctx, flags, async (store) => (await import('../../store/store.ts')).migrateToLatest(store));
      ctx.print(lines.length ? lines.join('\n') : 'already up to date');
    });

  db.command('rollback')
    .description('Roll back the newest applied migration')
    .option('--data-dir <dir>', 'data directory of the SQLite store (default RUNLEDGER_DATA_DIR or ./.runledger)')
    .option('--database-url <url>', 'PostgreSQL URL (default RUNLEDGER_DATABASE_URL)')
    .action(async (flags: StoreFlags) => {
      const lines = await withStore(ctx, flags, async (store) => (await import('../../store/store.ts')).rollbackOne(store));
      ctx.print(lines.length ? lines.join('\n') : 'nothing to roll back');
    });
}

/** Opens the store the server would use (same settings), runs `work`, closes it. Modules load lazily: other commands never need them. */
async function withStore(ctx: CliContext, flags: StoreFlags, work: (store: Store) => Promise<string[]>): Promise<string[]> {
  const [{ loadConfig }, { openStore }] = await Promise.all([import('../../config.ts'), import('../../store/store.ts')]);
  const config = loadConfig(ctx.env, {
    dataDir: flags.dataDir === undefined ? undefined : path.resolve(ctx.cwd, flags.dataDir),
    databaseUrl: flags.databaseUrl,
  });
  if (!config.databaseUrl) fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
