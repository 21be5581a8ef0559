import fs from 'node:fs';
import type { Config } from '../config.ts';
import { newWorkerId } from '../engine/engine.ts';
import { openEngineRuntime, type EngineRuntime } from '../engine/engine-runtime.ts';
import { bindAuditKey } from '../observe/audit-authentication.ts';
import { AuditSigner } from '../observe/audit-signer.ts';
import { createMetrics } from '../observe/metrics.ts';
import { acquireProcessLock, type ProcessLock } from '../store/process-lock.ts';
import { openDataDirWarning, restrictFilesToOwner } from '../store/private-files.ts';
import { idleTransactionTimeoutFor, migrateToLatest, openStore, type Store } from '../store/store.ts';
import { startMetricsListener, type MetricsListener } from './metrics-listener.ts';
import { assertSharedSecretKey } from './server.ts';

export interface RunningWorker {
  workerId: string;
  store: Store;
  runtime: EngineRuntime;
  /** Where `/metrics` is served (RUNLEDGER_METRICS_PORT), when it is. */
  metricsUrl: string | undefined;
  /** Drains (RUNLEDGER_DRAIN_TIMEOUT), then closes the store. */
  close(): Promise<void>;
}

/**
 * `runledger worker`: a process that claims ready task runs from the store and runs them, and sweeps
 * expired leases and deadlines; it serves no HTTP. On PostgreSQL any number of them share the store
 * (with one RUNLEDGER_SECRET_KEY); on SQLite it takes the data directory's single-node lock.
 */
export async function startWorker(
  config: Config,
  options: { print?: (line: string) => void; warn?: (line: string) => void; schema?: string } = {},
): Promise<RunningWorker> {
  const print = options.print ?? ((line: string) => console.log(line));
  const warn = options.warn ?? ((line: string) => console.error(`runledger: ${line}`));
  assertSharedSecretKey(config, 'a worker (runledger worker)');
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const openDir = openDataDirWarning(config.dataDir);
  if (openDir) warn(openDir);
  restrictFilesToOwner(config.dataDir);
  const lock: ProcessLock | undefined = config.databaseUrl ? undefined : acquireProcessLock(config.dataDir, 'runledger worker');
  const raw = openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    schema: options.schema,
    idleTransactionTimeoutMs: idleTransactionTimeoutFor(config.leaseMs),
  });
  let runtime: EngineRuntime | undefined;
  let metricsListener: MetricsListener | undefined;
  try {
    for (const line of await migrateToLatest(raw)) print(`store: ${line}`);
    // A worker records audit events too: it holds the deployment's audit key like every node.
    const store = await bindAuditKey(raw, AuditSigner.load(config.dataDir, config.auditSigningKey));
    const workerId = newWorkerId();
    runtime = await openEngineRuntime(store, { ...config, env: process.env }, { worker: true, workerId, warn });
    const { planned } = await runtime.engine.start();
    if (planned > 0) print(`engine: ${planned} unfinished execution(s) found and planned`);
    const opened = runtime;
    // A worker serves no API: its metrics (claims, attempts, lease expiries) are scraped here or nowhere.
    const metrics = createMetrics({ store, engine: opened.engine, logStats: opened.logs.stats });
    if (config.metricsListen) metricsListener = await startMetricsListener(metrics, config.metricsListen.host, config.metricsListen.port);
    const listener = metricsListener;
    let closing: Promise<void> | undefined;
    return {
      workerId,
      store,
      runtime: opened,
      metricsUrl: listener?.url,
      close: () =>
        (closing ??= (async () => {
          await listener?.close();
          metrics.close();
          await opened.close(config.drainTimeoutMs);
          await store.close();
          lock?.release();
        })()),
    };
  } catch (e) {
    await metricsListener?.close();
    await runtime?.close(0);
    await raw.close();
    lock?.release();
    throw e;
  }
}
