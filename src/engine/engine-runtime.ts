import { EngineEvents } from '../observe/engine-events.ts';
import { LogCollector } from '../observe/log-collector.ts';
import { tracesEndpoint } from '../observe/engine-tracing.ts';
import type { Store } from '../store/store.ts';
import { Engine } from './engine.ts';
import { EngineSignals } from './engine-signals.ts';
import { loadSecretBox } from './secret-box.ts';
import { StateWriter } from './state-writer.ts';
import { taskHandlers } from './tasks/index.ts';
import { WorkflowVersionCache } from './workflow-version-cache.ts';

/** The settings the engine takes from the configuration (config.ts). */
export interface EngineSettings {
  dataDir: string;
  secretKey: string | undefined;
  leaseMs: number;
  workerPollMs: number;
  maxConcurrentTasks: number;
  writeTransactions: number;
  pluginDirs: readonly string[];
  env: NodeJS.ProcessEnv;
}

export interface EngineRuntime {
  engine: Engine;
  logs: LogCollector;
  signals: EngineSignals;
  /** Drains the worker pool (up to `graceMs`), flushes logs and stops listening. */
  close(graceMs: number): Promise<void>;
}

/**
 * Everything a process needs to take commands and, with `worker`, to run tasks: the write path, the
 * log collector, the wake-ups between processes and the secret key. Shared by `runledger serve`
 * and `runledger worker`.
 */
export async function openEngineRuntime(
  store: Store,
  settings: EngineSettings,
  options: { worker: boolean; workerId: string; warn: (line: string) => void },
): Promise<EngineRuntime> {
  const signals = new EngineSignals(store);
  await signals.listen((e) => options.warn(`store notifications: ${e.message}`));
  const logs = new LogCollector(store.db, store.caps, {
    notifyChannel: store.caps.listenNotify ? store.channel('logs') : undefined,
    health: store.health,
  });
  const events = new EngineEvents();
  // Traces are off unless an OTLP endpoint is set: then no tracer exists and the engine skips every span.
  // (The OpenTelemetry SDK is loaded only then: a process without traces does not pay for loading it.)
  const tracing = tracesEndpoint(settings.env)
    ? (await import('../observe/otel-tracing.ts')).createOtelTracing({ env: settings.env, db: store.db, workerId: options.workerId })
    : undefined;
  if (tracing) events.listen(tracing);
  const engine = new Engine(
    {
      db: store.db,
      caps: store.caps,
      writer: new StateWriter(store.db, {
        maxInFlight: store.caps.concurrentWriters ? settings.writeTransactions : 1,
        health: store.health,
      }),
      handlers: taskHandlers,
      logSink: logs,
      workerId: options.workerId,
      pluginDirs: settings.pluginDirs,
      env: settings.env,
      secrets: loadSecretBox(settings.dataDir, settings.secretKey),
      versions: new WorkflowVersionCache(),
      signals,
      events,
      tracing,
    },
    options.worker
      ? { worker: { concurrency: settings.maxConcurrentTasks, leaseMs: settings.leaseMs, pollMs: settings.workerPollMs } }
      : {},
  );
  return {
    engine,
    logs,
    signals,
    async close(graceMs) {
      await engine.shutdown(graceMs);
      await logs.flush();
      await tracing?.close();
      await signals.close();
    },
  };
}
