import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AuthService, LOCAL_TOKEN_FILE } from '../auth/auth-service.ts';
import { JwtSigner } from '../auth/jwt.ts';
import { openDataDirWarning, readOrCreateSecret, restrictFilesToOwner } from '../store/private-files.ts';
import type { Config } from '../config.ts';
import { ValidationError } from '../domain/errors.ts';
import { newWorkerId, type Engine } from '../engine/engine.ts';
import { openEngineRuntime, type EngineRuntime } from '../engine/engine-runtime.ts';
import { WorkflowCatalog } from '../engine/workflow-catalog.ts';
import { writeCheckpoint } from '../observe/audit-checkpoints.ts';
import { bindAuditKey } from '../observe/audit-authentication.ts';
import { AuditSigner } from '../observe/audit-signer.ts';
import { CombinedLogFeed } from '../observe/log-feed.ts';
import { recordRetentionSettings, runCleanup } from '../observe/retention.ts';
import { checkTableSizes } from '../observe/store-health.ts';
import { SYSTEM_ACTOR } from '../observe/audit-logger.ts';
import { idleTransactionTimeoutFor, migrateToLatest, openStore, type Store } from '../store/store.ts';
import { acquireProcessLock, type ProcessLock } from '../store/process-lock.ts';
import { AttachmentService } from '../records/attachment-service.ts';
import { createBlobStorage } from '../records/create-blob-storage.ts';
import { applyRecordRetention } from '../records/execution-deletion.ts';
import { buildApp } from './app.ts';
import { startMetricsListener, type MetricsListener } from './metrics-listener.ts';
import { SERVER_FILE, ServerFile } from './server-file.ts';

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  engine: Engine;
  store: Store;
  /** Where `/metrics` is served without a token (RUNLEDGER_METRICS_PORT), when it is. */
  metricsUrl: string | undefined;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Where start-up messages go (the admin password on first start). */
  print?: (line: string) => void;
  /** Run executions in this process (default true). */
  worker?: boolean;
  /** PostgreSQL schema (tests). */
  schema?: string;
  /** Where warnings about the store go (stderr by default). */
  warn?: (line: string) => void;
  /** How often log followers poll for lines no notification told them about (1 s; tests lengthen it). */
  logPollMs?: number;
  /** How long a stopping server lets running attempts finish (default RUNLEDGER_DRAIN_TIMEOUT). */
  drainTimeoutMs?: number;
}

function readFileIfPresent(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * A deployment of several nodes shares one secret key: a node that takes commands without running
 * tasks seals secrets that workers elsewhere must open, so it refuses to start without the key.
 */
export function assertSharedSecretKey(config: Config, role: string): void {
  if (config.databaseUrl && !config.secretKey) {
    throw new ValidationError(
      `invalid configuration: RUNLEDGER_SECRET_KEY: required for ${role} on PostgreSQL, where other nodes must open the secrets it seals (the same value on every node; make one with: openssl rand -base64 32)`,
      { problems: ['RUNLEDGER_SECRET_KEY: required on PostgreSQL for this role'] },
    );
  }
}

/**
 * Opens the store, applies migrations, creates the first admin, starts the engine (which plans what a
 * previous process left unfinished) and serves the API. The engine starts before the port opens.
 */
export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  const print = options.print ?? ((line: string) => console.log(line));
  const warn = options.warn ?? ((line: string) => console.error(`runledger: ${line}`));
  const runsTasks = options.worker !== false;
  if (!runsTasks) assertSharedSecretKey(config, 'an API node (serve --no-worker)');
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const openDir = openDataDirWarning(config.dataDir);
  if (openDir) warn(openDir);
  restrictFilesToOwner(config.dataDir);
  // The embedded store is single-node: one process per data directory (PostgreSQL takes many).
  const lock: ProcessLock | undefined = config.databaseUrl
    ? undefined
    : acquireProcessLock(config.dataDir, runsTasks ? 'runledger serve' : 'runledger serve --no-worker');
  const opened = openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    schema: options.schema,
    idleTransactionTimeoutMs: idleTransactionTimeoutFor(config.leaseMs),
  });
  let store = opened;
  let runtime: EngineRuntime | undefined;
  let listening: FastifyInstance | undefined;
  let metricsListener: MetricsListener | undefined;
  const serverFile = new ServerFile(config.dataDir);
  try {
    for (const line of await migrateToLatest(store)) print(`store: ${line}`);
    const auditSigner = AuditSigner.load(config.dataDir, config.auditSigningKey);
    store = await bindAuditKey(opened, auditSigner);
    const jwt = new JwtSigner(config.jwtSecret ?? readOrCreateSecret(path.join(config.dataDir, 'jwt-secret')), config.jwtTtl);
    const auth = new AuthService(store.db, jwt, { maxFailures: config.loginMaxFailures, lockoutMs: config.loginLockoutMs });

    const retention = {
      logDays: config.logRetentionDays,
      auditDays: config.auditRetentionDays,
      recordDays: config.recordRetentionDays ?? null,
    };
    const system = SYSTEM_ACTOR;
    await recordRetentionSettings(store.db, retention, system);
    runtime = await openEngineRuntime(store, { ...config, env: process.env }, { worker: runsTasks, workerId: newWorkerId(), warn });
    const { engine } = runtime;
    // Followers wake for lines this process writes, and for lines other processes write (signals).
    const logFeed = new CombinedLogFeed(runtime.logs);
    runtime.signals.on('logs', (executionId) => logFeed.wake(executionId));
    // Evidence: thumbnails a previous process left pending are made in the background.
    const { storage: storageConfig, ...attachmentSettings } = config.attachments;
    const attachments = new AttachmentService({ db: store.db, storage: createBlobStorage(storageConfig), settings: attachmentSettings });
    await attachments.start();
    const { planned } = await engine.start();
    if (planned > 0) print(`engine: ${planned} unfinished execution(s) found and planned`);

    const app = await buildApp(
      {
        store,
        engine,
        catalog: new WorkflowCatalog(store.db, engine.deps.secrets),
        auth,
        auditSigner,
        logFeed,
        logPollMs: options.logPollMs,
        retention,
        attachments,
        logStats: runtime.logs.stats,
      },
      {
        bodyLimitBytes: config.bodyLimitBytes,
        logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
        sessionTtlMs: config.sessionTtlMs,
        trustProxy: config.trustProxy,
        metricsToken: config.metricsToken,
      },
    );
    // The port first: on a busy port the server stops before it creates anyone or prints a password.
    await app.listen({ host: config.host, port: config.port });
    listening = app;
    if (config.metricsListen)
      metricsListener = await startMetricsListener(app.metrics, config.metricsListen.host, config.metricsListen.port);
    await auth.bootstrapAdmin(config.dataDir, config.adminPassword, print);
    const tokenFile = path.join(config.dataDir, LOCAL_TOKEN_FILE);
    await auth.ensureLocalToken(config.dataDir, () => readFileIfPresent(tokenFile));
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
    const url = `http://${host}:${port}`;
    const keptBy = serverFile.claim(url);
    if (keptBy !== undefined)
      warn(
        `${path.join(config.dataDir, SERVER_FILE)} names the server of pid ${keptBy}, which still runs; the CLI here finds that one, not this one`,
      );

    // Signed checkpoints of every audit chain's head: periodically, and once more at a clean stop.
    const checkpoint = (reason: string) =>
      writeCheckpoint(store.db, auditSigner, reason).catch((e: unknown) =>
        console.error(`runledger: audit checkpoint failed: ${String(e)}`),
      );
    const checkpointTimer = setInterval(() => void checkpoint('periodic'), config.auditCheckpointIntervalMs);
    checkpointTimer.unref();
    // Retention runs at start and daily, then the tables that grow are measured; a failure is
    // reported and retried the next day.
    const cleanup = () =>
      runCleanup(
        { db: store.db, signer: auditSigner, reclaimSpace: () => store.reclaimSpace(), caps: store.caps },
        retention,
        { dryRun: false },
        system,
      )
        .then(() => checkTableSizes(store.db, store.caps, config.tableSizeWarningBytes))
        .then((warnings) => warnings.forEach((w) => warn(w.message)))
        .catch((e: unknown) => warn(`retention cleanup failed: ${String(e)}`));
    // The admin's record retention (if any) deletes old records; then the objects of attachments
    // deleted (or of deleted executions) past the grace period are purged, on the same schedule.
    const purgeAttachments = () =>
      (retention.recordDays === null ? Promise.resolve(0) : applyRecordRetention(store.db, retention.recordDays, system))
        .then(() => attachments.purgeDeleted())
        .then((report) => report.failed.forEach((f) => warn(`attachment ${f.id} not purged: ${f.reason}`)))
        .catch((e: unknown) => warn(`attachment purge failed: ${String(e)}`));
    const startupCleanup = Promise.all([cleanup(), purgeAttachments()]);
    const cleanupTimer = setInterval(() => void Promise.all([cleanup(), purgeAttachments()]), 86_400_000);
    cleanupTimer.unref();

    let closing: Promise<void> | undefined;
    const close = (): Promise<void> =>
      (closing ??= (async () => {
        await metricsListener?.close();
        await app.close();
        clearInterval(checkpointTimer);
        clearInterval(cleanupTimer);
        await startupCleanup;
        await attachments.close();
        await runtime?.close(options.drainTimeoutMs ?? config.drainTimeoutMs);
        await checkpoint('shutdown');
        await store.close();
        serverFile.release();
        lock?.release();
      })());
    return { url, app, engine, store, metricsUrl: metricsListener?.url, close };
  } catch (e) {
    await metricsListener?.close();
    await listening?.close();
    await runtime?.close(0);
    await store.close();
    lock?.release();
    throw e;
  }
}
