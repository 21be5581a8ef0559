import type { Kysely } from 'kysely';
import type { LogSink } from '../domain/log-line.ts';
import type { DialectCapabilities } from '../store/capabilities.ts';
import type { EngineEvents } from '../observe/engine-events.ts';
import type { EngineTracing } from '../observe/engine-tracing.ts';
import type { Database } from '../store/database-schema.ts';
import type { EngineSignals } from './engine-signals.ts';
import type { SecretBox } from './secret-box.ts';
import type { StateWriter } from './state-writer.ts';
import type { TaskHandlers } from './task-handler.ts';
import type { WorkflowVersionCache } from './workflow-version-cache.ts';

/** What the engine's parts share within one process. */
export interface EngineDeps {
  db: Kysely<Database>;
  caps: DialectCapabilities;
  writer: StateWriter;
  handlers: TaskHandlers;
  logSink: LogSink;
  /** This process: the owner of the leases it takes and the actor of what the engine does on its own. */
  workerId: string;
  pluginDirs: readonly string[];
  /** Where `{{ secrets.X }}` is looked up (`RUNLEDGER_SECRET_X`). */
  env: NodeJS.ProcessEnv;
  /** Seals secret inputs (and outputs that carry them) for the store; opens them where a task runs. */
  secrets: SecretBox;
  versions: WorkflowVersionCache;
  signals: EngineSignals;
  /** Told of executions started and ended and attempts ended, after each commits (metrics, traces). */
  events: EngineEvents;
  /** Spans of executions and attempts; absent unless traces are exported (OTEL_EXPORTER_OTLP_ENDPOINT). */
  tracing?: EngineTracing | undefined;
}
