import { sql } from 'kysely';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Engine } from '../engine/engine.ts';
import { latestCheckpoint } from '../store/audit-checkpoint-repository.ts';
import { executionsByStatus } from '../store/retention-repository.ts';
import type { Store } from '../store/store.ts';
import { auditAppendStats } from './audit-logger.ts';

/** What the metrics are read from: the store (at scrape time) and this process's own counters. */
export interface MetricsSources {
  store: Store;
  engine: Engine;
  /** The log collector's counts of lines appended, written and dropped, when this process has one. */
  logStats?: { readonly appended: number; readonly written: number; readonly dropped: number } | undefined;
}

export interface RunledgerMetrics {
  readonly registry: Registry;
  /** Stops hearing the engine (the app closes). */
  close(): void;
  /** Records one answered HTTP request (route pattern, not the URL, so ids do not multiply the series). */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void;
}

/**
 * The Prometheus metrics of one process. Facts of the whole deployment (executions by status, the
 * ready queue and its oldest run, running attempts, the age of the last audit checkpoint, the store's
 * size and write health) are read from the store at each scrape, so every node answers the same;
 * counters (claims, reports, refused late reports, lease expiries, log lines, commits, HTTP requests)
 * are this process's, as Prometheus expects, and are summed across nodes by the query. What the
 * engine tells (executions started and ended, attempts ended) is counted as it happens, in memory:
 * nothing here adds a query to the write path.
 */
export function createMetrics(sources: MetricsSources): RunledgerMetrics {
  const registry = new Registry();
  const { store, engine } = sources;
  const db = store.db;
  collectDefaultMetrics({ register: registry, prefix: 'runledger_process_' });

  new Gauge({
    name: 'runledger_executions',
    help: 'Executions in the store, by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [status, n] of Object.entries(await executionsByStatus(db))) this.set({ status }, n);
    },
  });

  // The ready queue: task runs that could be claimed now. Gauges collect in parallel, so each reads its own.
  const ready = () => {
    const now = new Date().toISOString();
    return db
      .selectFrom('task_runs')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('available_at').as('oldest')])
      .where('status', '=', 'pending')
      .where('available_at', 'is not', null)
      .where('available_at', '<=', now)
      .executeTakeFirst();
  };
  new Gauge({
    name: 'runledger_ready_task_runs',
    help: 'Task runs that could be claimed now (the ready queue)',
    registers: [registry],
    async collect() {
      this.set(Number((await ready())?.n ?? 0));
    },
  });
  new Gauge({
    name: 'runledger_oldest_ready_task_run_age_seconds',
    help: 'How long the oldest task run that could be claimed now has waited (0 when none waits)',
    registers: [registry],
    async collect() {
      const oldest = (await ready())?.oldest;
      this.set(oldest ? Math.max(0, (Date.now() - Date.parse(String(oldest))) / 1000) : 0);
    },
  });

  new Gauge({
    name: 'runledger_running_task_runs',
    help: 'Task runs held by a worker now',
    registers: [registry],
    async collect() {
      const row = await db
        .selectFrom('task_runs')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('status', '=', 'running')
        .executeTakeFirst();
      this.set(Number(row?.n ?? 0));
    },
  });

  new Gauge({
    name: 'runledger_audit_checkpoint_age_seconds',
    help: 'Seconds since the last signed audit checkpoint (-1 when there is none yet)',
    registers: [registry],
    async collect() {
      const latest = await latestCheckpoint(db);
      this.set(latest ? (Date.now() - Date.parse(latest.createdAt)) / 1000 : -1);
    },
  });

  new Gauge({
    name: 'runledger_store_bytes',
    help: 'Size of the store: the SQLite file, or the PostgreSQL database',
    registers: [registry],
    async collect() {
      this.set(await storeBytes(store));
    },
  });

  new Gauge({
    name: 'runledger_store_writes_failing',
    help: '1 while writes to the store fail (the cause is in /readyz), else 0',
    registers: [registry],
    collect() {
      this.set(store.health.failure ? 1 : 0);
    },
  });

  // This process's counters, read from the parts that keep them.
  const counter = (name: string, help: string, read: () => number): void => {
    let counted = 0;
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        // Counters only go up: add what was counted since the last scrape.
        const now = read();
        if (now > counted) this.inc(now - counted);
        counted = Math.max(counted, now);
      },
    });
  };
  const worker = engine.worker;
  const sweeper = engine.sweeper;
  counter('runledger_task_runs_claimed_total', 'Task runs this process claimed', () => worker?.stats.claimed ?? 0);
  counter('runledger_task_runs_reported_total', 'Attempt endings this process recorded', () => worker?.stats.reported ?? 0);
  counter('runledger_late_reports_refused_total', 'Reports refused because the lease had moved on', () => worker?.stats.refused ?? 0);
  counter('runledger_lease_expiries_total', 'Attempts this process ended because their lease expired', () => sweeper?.stats.expired ?? 0);
  counter('runledger_deadline_timeouts_total', 'Executions this process stopped at their deadline', () => sweeper?.stats.timedOut ?? 0);
  counter('runledger_state_commits_total', 'Transactions of state changes committed', () => engine.deps.writer.stats.commits);
  counter('runledger_state_changes_total', 'State changes committed (several share a commit)', () => engine.deps.writer.stats.changes);
  counter(
    'runledger_log_lines_ingested_total',
    'Log lines tasks and workers handed to this process (task output, attempt lines)',
    () => sources.logStats?.appended ?? 0,
  );
  counter(
    'runledger_log_lines_written_total',
    "Log lines the log collector's own batches wrote (an attempt's lines commit with its report instead)",
    () => sources.logStats?.written ?? 0,
  );
  counter('runledger_log_lines_dropped_total', 'Log lines the store could not take', () => sources.logStats?.dropped ?? 0);
  counter(
    'runledger_audit_events_appended_total',
    'Audit events this process appended to the hash chains',
    () => auditAppendStats.appended,
  );

  // What the engine tells as it happens (engine-events.ts), in the process that committed it.
  const started = new Counter({
    name: 'runledger_executions_started_total',
    help: 'Executions this process recorded, by workflow',
    labelNames: ['workflow'],
    registers: [registry],
  });
  const ended = new Counter({
    name: 'runledger_executions_ended_total',
    help: 'Executions that reached a terminal status in a transaction of this process, by workflow and status',
    labelNames: ['workflow', 'status'],
    registers: [registry],
  });
  const attempts = new Histogram({
    name: 'runledger_task_run_duration_seconds',
    help: 'Attempts this process ran, from claim to report, by task type and status',
    labelNames: ['type', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    registers: [registry],
  });
  const stopListening = engine.deps.events.listen({
    executionStarted: (e) => started.inc({ workflow: e.workflowId }),
    executionEnded: (e) => ended.inc({ workflow: e.workflowId, status: e.status }),
    attemptEnded: (e) => attempts.observe({ type: e.type, status: e.status }, e.durationMs / 1000),
  });

  const http = new Histogram({
    name: 'runledger_http_request_duration_seconds',
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  return {
    registry,
    close: stopListening,
    observeRequest(method, route, statusCode, seconds) {
      http.observe({ method, route, status_code: String(statusCode) }, seconds);
    },
  };
}

async function storeBytes(store: Store): Promise<number> {
  if (store.caps.dialect === 'postgres') {
    const r = await sql<{ b: string }>`select pg_database_size(current_database()) as b`.execute(store.db);
    return Number(r.rows[0]?.b ?? 0);
  }
  const pages = await sql<{ page_count: number }>`pragma page_count`.execute(store.db);
  const size = await sql<{ page_size: number }>`pragma page_size`.execute(store.db);
  return Number(pages.rows[0]?.page_count ?? 0) * Number(size.rows[0]?.page_size ?? 0);
}
