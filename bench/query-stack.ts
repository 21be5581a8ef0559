import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/api/app.ts';
import { AuthService } from '../src/auth/auth-service.ts';
import { JwtSigner } from '../src/auth/jwt.ts';
import type { Engine } from '../src/engine/engine.ts';
import { openEngineRuntime } from '../src/engine/engine-runtime.ts';
import { WorkflowCatalog } from '../src/engine/workflow-catalog.ts';
import { bindAuditKey } from '../src/observe/audit-authentication.ts';
import { AuditSigner } from '../src/observe/audit-signer.ts';
import type { LogCollector } from '../src/observe/log-collector.ts';
import { AttachmentService } from '../src/records/attachment-service.ts';
import { LocalBlobStorage } from '../src/records/local-blob-storage.ts';
import type { Store } from '../src/store/store.ts';

const ADMIN_PASSWORD = 'correct horse battery';

/** The server as test/support/harness.ts builds it in process: real engine, collector, auth and app. */
export interface Stack {
  app: FastifyInstance;
  engine: Engine;
  logs: LogCollector;
  adminId: string;
  /** A session token of the admin, as `POST /v1/auth/login` hands it out. */
  adminToken: string;
  close(): Promise<void>;
}

export async function buildStack(migrated: Store, dataDir: string): Promise<Stack> {
  // The audit key is bound to the store as a server binds it: the events written here are authenticated.
  const auditSigner = AuditSigner.load(dataDir, undefined);
  const store = await bindAuditKey(migrated, auditSigner);
  const auth = new AuthService(store.db, new JwtSigner('x'.repeat(40), '1h'));
  await auth.bootstrapAdmin(dataDir, ADMIN_PASSWORD, () => undefined);
  const runtime = await openEngineRuntime(
    store,
    {
      dataDir,
      secretKey: undefined,
      leaseMs: 30_000,
      workerPollMs: 200,
      maxConcurrentTasks: 16,
      writeTransactions: 2,
      pluginDirs: [],
      env: {},
    },
    { worker: true, workerId: 'bench-worker', warn: (line) => console.error(line) },
  );
  const { engine, logs } = runtime;
  await engine.start();
  const app = await buildApp(
    {
      store,
      engine,
      catalog: new WorkflowCatalog(store.db),
      auth,
      auditSigner,
      logFeed: logs,
      retention: { logDays: 30, auditDays: 365 },
      // Not measured here; present because every app has one.
      attachments: new AttachmentService({
        db: store.db,
        storage: new LocalBlobStorage(path.join(dataDir, 'attachments')),
        settings: { maxBytes: 25 * 1024 * 1024, userQuotaBytes: 0, deleteGraceDays: 7, urlTtlSeconds: 300 },
      }),
    },
    { bodyLimitBytes: 1024 * 1024 },
  );
  const { token, user } = await auth.login('admin', ADMIN_PASSWORD);
  return {
    app,
    engine,
    logs,
    adminId: user.id,
    adminToken: token,
    async close() {
      await app.close();
      await runtime.close(0);
    },
  };
}
