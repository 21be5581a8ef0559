/**
 * The OpenAPI document the server serves at /docs/json, and the TypeScript types of the web UI's API
 * client generated from it (openapi-typescript). `npm run gen:web-api` writes them to
 * web/src/api/schema.d.ts; a test fails when that file differs from what the server declares.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { buildApp } from '../src/api/app.ts';
import { AuthService } from '../src/auth/auth-service.ts';
import { JwtSigner } from '../src/auth/jwt.ts';
import { Engine } from '../src/engine/engine.ts';
import { EngineSignals } from '../src/engine/engine-signals.ts';
import { loadSecretBox } from '../src/engine/secret-box.ts';
import { StateWriter } from '../src/engine/state-writer.ts';
import { taskHandlers } from '../src/engine/tasks/index.ts';
import { WorkflowCatalog } from '../src/engine/workflow-catalog.ts';
import { WorkflowVersionCache } from '../src/engine/workflow-version-cache.ts';
import { AuditSigner } from '../src/observe/audit-signer.ts';
import { EngineEvents } from '../src/observe/engine-events.ts';
import { LogCollector } from '../src/observe/log-collector.ts';
import { AttachmentService } from '../src/records/attachment-service.ts';
import { LocalBlobStorage } from '../src/records/local-blob-storage.ts';
import { migrateToLatest, openStore } from '../src/store/store.ts';

export const WEB_API_TYPES = path.resolve(import.meta.dirname, '../web/src/api/schema.d.ts');

/** The served OpenAPI document, from an app on a throw-away SQLite store. */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runledger-openapi-'));
  const store = openStore({ dataDir });
  try {
    await migrateToLatest(store);
    const logs = new LogCollector(store.db, store.caps);
    // an API node that runs nothing: the document needs the routes, not a worker
    const engine = new Engine({
      db: store.db,
      caps: store.caps,
      writer: new StateWriter(store.db),
      handlers: taskHandlers,
      logSink: logs,
      workerId: 'openapi',
      pluginDirs: [],
      env: {},
      secrets: loadSecretBox(dataDir, undefined),
      versions: new WorkflowVersionCache(),
      signals: new EngineSignals(store),
      events: new EngineEvents(),
    });
    const app = await buildApp(
      {
        store,
        engine,
        catalog: new WorkflowCatalog(store.db),
        auth: new AuthService(store.db, new JwtSigner('o'.repeat(40), '1h')),
        auditSigner: AuditSigner.load(dataDir, undefined),
        logFeed: logs,
        retention: { logDays: 30, auditDays: 365 },
        attachments: new AttachmentService({
          db: store.db,
          storage: new LocalBlobStorage(path.join(dataDir, 'attachments')),
          settings: { maxBytes: 25 * 1024 * 1024, userQuotaBytes: 0, deleteGraceDays: 7, urlTtlSeconds: 300 },
        }),
      },
      { bodyLimitBytes: 1024 * 1024, webRoot: null, version: '0.0.0' },
    );
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    await app.close();
    await engine.shutdown();
    return JSON.parse(res.body) as Record<string, unknown>;
  } finally {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The web UI's API types, as openapi-typescript writes them for the served document. */
export async function webApiTypes(): Promise<string> {
  const ast = await openapiTS(JSON.stringify(await openApiDocument()));
  return `/**\n * Generated from the served OpenAPI document by \`npm run gen:web-api\`: do not edit.\n */\n${astToString(ast)}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  fs.writeFileSync(WEB_API_TYPES, await webApiTypes());
  console.log(`wrote ${path.relative(process.cwd(), WEB_API_TYPES)}`);
}
