import type { ChildProcess, SpawnSyncReturns } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { Processes, runCli, runledgerEnv, type ServerProcess } from './processes.ts';
import { tempDir, TEST_PG_URL } from './stores.ts';

/**
 * A deployment of several nodes on PostgreSQL, as real processes: a database of its own, one API
 * node (`serve --no-worker`) and `runledger worker` processes, all with the same secret and audit keys.
 */
export interface NodeDeployment {
  /** The deployment's database, dropped with it. */
  readonly databaseUrl: string;
  /** The API node's data directory. */
  readonly apiDir: string;
  /** The environment of a node on `dataDir`. */
  env(dataDir: string): NodeJS.ProcessEnv;
  /** Starts `runledger <args>` as a node on `dataDir` (e.g. a worker). */
  launch(args: string[], dataDir: string): ChildProcess;
  /** Starts the API node and waits until it listens (up to a minute). */
  startApiNode(): Promise<ServerProcess>;
  /** Runs `runledger <args>` to its end as a node on the API node's data directory (e.g. `audit verify`). */
  runCli(args: string[]): SpawnSyncReturns<string>;
  /** Creates the database (for `beforeAll`). */
  setUp(): Promise<void>;
  /** Kills every node, drops the database and removes the API node's data directory (for `afterAll`). */
  tearDown(): Promise<void>;
}

/**
 * A deployment whose database is named `<name>_<pid>`; `settings` are added to every node's
 * environment (lease duration, poll interval…).
 */
export function nodeDeployment(name: string, settings: Record<string, string> = {}): NodeDeployment {
  const database = `${name}_${process.pid}`;
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  const apiDir = tempDir();
  // One audit key for the deployment: every node authenticates the events it writes with it.
  const auditKey = crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const processes = new Processes();
  let admin: pg.Client | undefined;

  const env = (dataDir: string) =>
    runledgerEnv(dataDir, {
      RUNLEDGER_DATABASE_URL: databaseUrl,
      RUNLEDGER_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
      RUNLEDGER_AUDIT_SIGNING_KEY: auditKey,
      ...settings,
    });

  return {
    databaseUrl,
    apiDir,
    env,
    launch: (args, dataDir) => processes.launch(args, env(dataDir)),
    startApiNode: () => processes.startServer(env(apiDir), { args: ['--no-worker'], what: 'the API node to listen', timeoutMs: 60_000 }),
    runCli: (args) => runCli(args, { env: env(apiDir), timeoutMs: 60_000 }),
    async setUp() {
      admin = new pg.Client({ connectionString: TEST_PG_URL });
      await admin.connect();
      await admin.query(`drop database if exists ${database}`);
      await admin.query(`create database ${database}`);
    },
    async tearDown() {
      await processes.killAll();
      if (admin) {
        await admin.query(`drop database if exists ${database} with (force)`);
        await admin.end();
      }
      fs.rmSync(apiDir, { recursive: true, force: true });
    },
  };
}
