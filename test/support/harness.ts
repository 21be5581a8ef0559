import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { buildApp, type AppOptions } from '../../src/api/app.ts';
import { AuthService } from '../../src/auth/auth-service.ts';
import { JwtSigner } from '../../src/auth/jwt.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { EngineDeps } from '../../src/engine/engine-deps.ts';
import { EngineSignals } from '../../src/engine/engine-signals.ts';
import { loadSecretBox } from '../../src/engine/secret-box.ts';
import { StateWriter } from '../../src/engine/state-writer.ts';
import { taskHandlers } from '../../src/engine/tasks/index.ts';
import { WorkflowCatalog } from '../../src/engine/workflow-catalog.ts';
import { WorkflowVersionCache } from '../../src/engine/workflow-version-cache.ts';
import { EngineEvents } from '../../src/observe/engine-events.ts';
import { CombinedLogFeed } from '../../src/observe/log-feed.ts';
import { createOtelTracing, type OtelTracing } from '../../src/observe/otel-tracing.ts';
import { AuditSigner } from '../../src/observe/audit-signer.ts';
import { LogCollector } from '../../src/observe/log-collector.ts';
import { AttachmentService } from '../../src/records/attachment-service.ts';
import type { AttachmentSettings } from '../../src/records/attachment-settings.ts';
import type { BlobStorage } from '../../src/records/blob-storage.ts';
import { LocalBlobStorage } from '../../src/records/local-blob-storage.ts';
import type { Store } from '../../src/store/store.ts';
import { createTestStore, type DialectName, type TestStore } from './stores.ts';

export const ADMIN_PASSWORD = 'correct horse battery';

export interface Harness extends TestStore {
  app: FastifyInstance;
  engine: Engine;
  /** What the engine was built from: another engine on the same store (a second node) can be made from it. */
  deps: EngineDeps;
  writer: StateWriter;
  logs: LogCollector;
  auth: AuthService;
  auditSigner: AuditSigner;
  attachments: AttachmentService;
  /** A session token for the admin. */
  adminToken: string;
  /** Calls the API as the admin (or with the given token). */
  api<T = unknown>(
    method: string,
    url: string,
    body?: unknown,
    token?: string | null,
  ): Promise<{ status: number; body: T; headers: Record<string, unknown> }>;
  /** Applies a definition and returns its id. */
  apply(definition: Record<string, unknown>): Promise<string>;
  /** Starts a run and waits for it to end; returns the execution as GET /v1/executions/:id shows it. */
  runToEnd(workflowId: string, inputs?: Record<string, unknown>): Promise<ExecutionView>;
}

export interface TaskRunView {
  id: string;
  taskId: string;
  type: string;
  attempt: number;
  status: string;
  input: unknown;
  output: unknown;
  error: { type: string; code: string; message: string; stack?: string } | null;
  durationMs: number | null;
  notes: string | null;
  completedBy: string | null;
}

export interface ExecutionView {
  id: string;
  status: string;
  inputs: Record<string, unknown>;
  context: { inputs: Record<string, unknown>; tasks: Record<string, { status: string; attempt: number; output: unknown }> } | null;
  error: { type: string; code: string; message: string } | null;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
  logEntryCount: number;
  taskRuns: TaskRunView[];
}

/** The whole in-process stack on a fresh store: real engine, real handlers, the Fastify app. */
export async function createHarness(
  dialect: DialectName,
  options: {
    env?: NodeJS.ProcessEnv;
    pluginDirs?: string[];
    maxConcurrentTasks?: number;
    /** Called for every statement the API (not the engine) sends to the store: to count queries per request. */
    onApiQuery?: (query: RootOperationNode) => void;
    /** Where evidence goes (default: a local directory `attachments` in the test's data directory). */
    storage?: BlobStorage;
    /** Attachment limits; defaults are the server's (25 MB, 5 GiB quota, 7 days, 5 min URLs). */
    attachmentSettings?: Partial<AttachmentSettings>;
    /** Options of the app beyond the body limit (session lifetime, proxy trust, web UI root). */
    appOptions?: Partial<AppOptions>;
    /** false: this process takes commands only (an API node); tasks run only where another engine works. */
    worker?: boolean;
    /** Lease of a claimed attempt (default 30 s). */
    leaseMs?: number;
    /** Lease renewal (default a third of the lease). */
    heartbeatMs?: number;
    workerId?: string;
    /** The OTEL_* environment of this process's traces (off when absent, as without OTEL_EXPORTER_OTLP_ENDPOINT). */
    tracingEnv?: NodeJS.ProcessEnv;
  } = {},
): Promise<Harness> {
  const t = await createTestStore(dialect);
  const auth = new AuthService(t.store.db, new JwtSigner('x'.repeat(40), '1h'));
  await auth.bootstrapAdmin(t.dataDir, ADMIN_PASSWORD, () => undefined);
  const logs = new LogCollector(t.store.db, t.store.caps, { flushIntervalMs: 50, health: t.store.health });
  const auditSigner = AuditSigner.load(t.dataDir, undefined);
  const writer = new StateWriter(t.store.db, { health: t.store.health });
  const signals = new EngineSignals(t.store);
  await signals.listen(() => undefined);
  const workerId = options.workerId ?? 'test-worker';
  const tracing = options.tracingEnv && createOtelTracing({ env: options.tracingEnv, db: t.store.db, workerId });
  const deps: EngineDeps = {
    db: t.store.db,
    caps: t.store.caps,
    writer,
    handlers: taskHandlers,
    logSink: logs,
    workerId,
    pluginDirs: options.pluginDirs ?? [],
    env: options.env ?? {},
    secrets: loadSecretBox(t.dataDir, undefined),
    versions: new WorkflowVersionCache(),
    signals,
    events: new EngineEvents(),
    tracing,
  };
  if (tracing) deps.events.listen(tracing);
  const engine = new Engine(deps, {
    worker:
      options.worker === false
        ? undefined
        : {
            concurrency: options.maxConcurrentTasks ?? 16,
            leaseMs: options.leaseMs ?? 30_000,
            pollMs: 200,
            ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
          },
  });
  await engine.start();
  const logFeed = new CombinedLogFeed(logs);
  signals.on('logs', (executionId) => logFeed.wake(executionId));
  const attachments = new AttachmentService({
    db: t.store.db,
    storage: options.storage ?? new LocalBlobStorage(path.join(t.dataDir, 'attachments')),
    settings: {
      maxBytes: 25 * 1024 * 1024,
      userQuotaBytes: 5 * 1024 ** 3,
      deleteGraceDays: 7,
      urlTtlSeconds: 300,
      ...options.attachmentSettings,
    },
  });
  const onApiQuery = options.onApiQuery;
  const apiStore: Store = onApiQuery ? { ...t.store, db: t.store.db.withPlugin(queryObserver(onApiQuery)) } : t.store;
  const app = await buildApp(
    {
      store: apiStore,
      engine,
      catalog: new WorkflowCatalog(t.store.db, deps.secrets),
      auth,
      auditSigner,
      logFeed,
      retention: { logDays: 30, auditDays: 365 },
      attachments,
      logStats: logs.stats,
    },
    { bodyLimitBytes: 1024 * 1024, ...options.appOptions },
  );
  const { token: adminToken } = await auth.login('admin', ADMIN_PASSWORD);

  const api: Harness['api'] = async (method, url, body, token = adminToken) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(body === undefined
        ? {}
        : typeof body === 'string'
          ? { payload: body, headers: { ...headers, 'content-type': 'application/yaml' } }
          : { payload: body as object }),
    });
    const text = res.body;
    return {
      status: res.statusCode,
      body: (text && /(application\/json|problem\+json)/.test(String(res.headers['content-type'])) ? JSON.parse(text) : text) as never,
      headers: res.headers,
    };
  };

  const h: Harness = {
    ...t,
    app,
    engine,
    deps,
    writer,
    logs,
    auth,
    auditSigner,
    attachments,
    adminToken,
    api,
    async apply(definition) {
      const res = await api('PUT', `/v1/workflows/${String(definition.id)}`, definition);
      if (res.status >= 300) throw new Error(`apply failed: ${JSON.stringify(res.body)}`);
      return String(definition.id);
    },
    async runToEnd(workflowId, inputs = {}) {
      const res = await api<{ executionId: string }>('POST', `/v1/workflows/${workflowId}/run`, { inputs });
      if (res.status !== 202) throw new Error(`run failed: ${JSON.stringify(res.body)}`);
      await engine.waitForExecution(res.body.executionId);
      return (await api<ExecutionView>('GET', `/v1/executions/${res.body.executionId}`)).body;
    },
    async dispose() {
      await app.close();
      await attachments.close();
      await engine.shutdown();
      await logs.flush();
      await tracing?.close();
      await signals.close();
      await t.dispose();
    },
  };
  return h;
}

/**
 * Another engine on the harness's store, as a second process would run it (its own write path,
 * version cache and worker id; the same secret key unless one is given).
 */
export async function createSecondEngine(
  h: Harness,
  options: {
    workerId: string;
    leaseMs?: number;
    heartbeatMs?: number;
    worker?: boolean;
    secrets?: EngineDeps['secrets'];
    /** That process's traces (off when absent). */
    tracing?: OtelTracing;
  },
): Promise<Engine> {
  const events = new EngineEvents();
  if (options.tracing) events.listen(options.tracing);
  const engine = new Engine(
    {
      ...h.deps,
      writer: new StateWriter(h.store.db, { health: h.store.health }),
      versions: new WorkflowVersionCache(),
      workerId: options.workerId,
      events,
      tracing: options.tracing,
      ...(options.secrets ? { secrets: options.secrets } : {}),
    },
    {
      worker:
        options.worker === false
          ? undefined
          : {
              concurrency: 16,
              leaseMs: options.leaseMs ?? 30_000,
              pollMs: 100,
              ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
            },
    },
  );
  await engine.start();
  return engine;
}

/** A Kysely plugin that reports each statement before it is sent (transactions included) and changes nothing. */
function queryObserver(onQuery: (query: RootOperationNode) => void): KyselyPlugin {
  return {
    transformQuery: ({ node }) => {
      onQuery(node);
      return node;
    },
    transformResult: ({ result }) => Promise.resolve(result),
  };
}
