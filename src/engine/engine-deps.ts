import type { Kysely } from 'kysely';
import type { Database } from '../store/database-schema.ts';
import type { LogSink } from './log-sink.ts';
import type { StateWriter } from './state-writer.ts';
import type { TaskHandlers } from './task-handler.ts';
import type { TaskSlots } from './task-slots.ts';

/** What the engine's parts share within one process. */
export interface EngineDeps {
  db: Kysely<Database>;
  writer: StateWriter;
  slots: TaskSlots;
  handlers: TaskHandlers;
  logSink: LogSink;
  /** This process: recorded on every task run it starts, so recovery knows whose runs were lost. */
  workerId: string;
  pluginDirs: readonly string[];
  /** Where `{{ secrets.X }}` is looked up (`RUNLEDGER_SECRET_X`). */
  env: NodeJS.ProcessEnv;
}
