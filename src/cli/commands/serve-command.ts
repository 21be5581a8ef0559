import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';

interface ServeFlags {
  port?: number;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
  worker: boolean;
}

/** `runledger serve`: API, scheduler and (unless --no-worker) the worker pool in this process. */
export function registerServeCommand(program: Command, ctx: CliContext, parsers: { port: (v: string) => number }): void {
  program
    .command('serve')
    .description('Run the server: REST API, web UI and, unless --no-worker, the task workers')
    .option('--port <port>', 'port to listen on (default RUNLEDGER_PORT or 8080; 0 picks a free one)', parsers.port)
    .option('--host <host>', 'address to listen on (default RUNLEDGER_HOST or 127.0.0.1)')
    .option('--data-dir <dir>', 'data directory (default RUNLEDGER_DATA_DIR or ./.runledger)')
    .option('--database-url <url>', 'PostgreSQL URL (default RUNLEDGER_DATABASE_URL; absent: SQLite in the data directory)')
    .option('--no-worker', 'do not run executions in this process (API only)')
    .action(async (flags: ServeFlags) => {
      // Loaded here, not at the top: the server's modules take seconds to load, and the other commands never need them.
      const [{ loadConfig }, { startServer }] = await Promise.all([import('../../config.ts'), import('../../api/server.ts')]);
      const config = loadConfig(ctx.env, {
        port: flags.port,
        host: flags.host,
        dataDir: flags.dataDir === undefined ? undefined : path.resolve(ctx.cwd, flags.dataDir),
        databaseUrl: flags.databaseUrl,
      });
      const server = await startServer(config, { worker: flags.worker, print: (line) => ctx.print(line) });
      ctx.print(`Runledger listening on ${server.url}`);
      ctx.print(`Data: ${config.dataDir} (store ${server.store.location})${flags.worker ? '' : '; no worker in this process'}`);
      await new Promise<never>(() => stopOnSignal(() => server.close(), ctx));
    });
}

/**
 * SIGINT or SIGTERM closes the server (in-flight requests, the engine, log flush, the store) and
 * exits 0; a second signal while closing exits 1 at once. The only place the CLI calls process.exit:
 * a server has handles that would otherwise keep the process alive.
 */
function stopOnSignal(close: () => Promise<void>, ctx: CliContext): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    ctx.note(`${signal}: shutting down`);
    close().then(
      () => process.exit(0),
      (e: unknown) => {
        ctx.note(`runledger: shutdown failed: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
