import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { CliError } from '../cli-error.ts';

interface StoreFlags {
  dataDir?: string;
  databaseUrl?: string;
}

interface ServeFlags extends StoreFlags {
  port?: number;
  host?: string;
  worker: boolean;
}

interface WorkerFlags extends StoreFlags {
  concurrency?: number;
}

/**
 * `runledger serve`: the REST API and, unless --no-worker, a worker pool in the same process.
 * `runledger worker`: a worker pool alone (no HTTP), for deployments of several nodes on PostgreSQL.
 */
export function registerServeCommand(
  program: Command,
  ctx: CliContext,
  parsers: { port: (v: string) => number; positiveInt: (v: string) => number },
): void {
  program
    .command('serve')
    .description('Run the server: REST API, web UI and, unless --no-worker, the task workers')
    .option('--port <port>', 'port to listen on (default RUNLEDGER_PORT or 8080; 0 picks a free one)', parsers.port)
    .option('--host <host>', 'address to listen on (default RUNLEDGER_HOST or 127.0.0.1)')
    .option('--data-dir <dir>', 'data directory (default RUNLEDGER_DATA_DIR or ./.runledger)')
    .option('--database-url <url>', 'PostgreSQL URL (default RUNLEDGER_DATABASE_URL; absent: SQLite in the data directory)')
    .option('--no-worker', 'run no tasks in this process (API only: `runledger worker` processes run them)')
    .action(async (flags: ServeFlags) => {
      // Loaded here, not at the top: the server's modules take seconds to load, and the other commands never need them.
      const [{ loadConfig }, { startServer }] = await Promise.all([import('../../config.ts'), import('../../api/server.ts')]);
      const config = loadConfig(ctx.env, { port: flags.port, host: flags.host, ...storeOverrides(flags, ctx) });
      const server = await startServer(config, { worker: flags.worker, print: (line) => ctx.print(line) }).catch((e: unknown) => {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
        throw new CliError(
          `port ${config.port} on ${config.host} is already in use (EADDRINUSE): stop what listens there, or choose another port with --port or RUNLEDGER_PORT`,
        );
      });
      ctx.print(`Runledger listening on ${server.url}`);
      ctx.print(
        `Data: ${config.dataDir} (store ${server.store.location})${flags.worker ? '' : '; API only: no tasks run in this process'}`,
      );
      if (server.metricsUrl) ctx.print(`Metrics: ${server.metricsUrl}/metrics (no token: keep this address private)`);
      await new Promise<never>(() => stopOnSignal(() => server.close(), ctx));
    });

  program
    .command('worker')
    .description('Run a worker: claims ready tasks from the store and runs them (no HTTP)')
    .option('--concurrency <n>', 'task attempts run at once (default RUNLEDGER_MAX_CONCURRENT_TASKS or 16)', parsers.positiveInt)
    .option('--data-dir <dir>', 'data directory (default RUNLEDGER_DATA_DIR or ./.runledger)')
    .option('--database-url <url>', 'PostgreSQL URL (default RUNLEDGER_DATABASE_URL; absent: SQLite in the data directory)')
    .action(async (flags: WorkerFlags) => {
      const [{ loadConfig }, { startWorker }] = await Promise.all([import('../../config.ts'), import('../../api/worker-process.ts')]);
      const config = loadConfig(ctx.env, { maxConcurrentTasks: flags.concurrency, ...storeOverrides(flags, ctx) });
      const worker = await startWorker(config, { print: (line) => ctx.print(line) });
      ctx.print(`Runledger worker ${worker.workerId} running up to ${config.maxConcurrentTasks} tasks at once`);
      ctx.print(`Data: ${config.dataDir} (store ${worker.store.location})`);
      if (worker.metricsUrl) ctx.print(`Metrics: ${worker.metricsUrl}/metrics (no token: keep this address private)`);
      await new Promise<never>(() => stopOnSignal(() => worker.close(), ctx));
    });
}

function storeOverrides(flags: StoreFlags, ctx: CliContext): { dataDir?: string; databaseUrl?: string } {
  return {
    ...(flags.dataDir === undefined ? {} : { dataDir: path.resolve(ctx.cwd, flags.dataDir) }),
    ...(flags.databaseUrl === undefined ? {} : { databaseUrl: flags.databaseUrl }),
  };
}

/**
 * SIGINT or SIGTERM closes the process cleanly — a worker stops claiming, lets its running tasks
 * finish within RUNLEDGER_DRAIN_TIMEOUT and hands back the rest — and exits 0; a second signal while
 * closing exits 1 at once. process.exit, because a server has handles that would
 * otherwise keep the process alive.
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
