import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.ts';
import { loadConfig } from '../../src/config.ts';
import { describeEachDialect, tempDir, TEST_PG_URL, type DialectName } from '../support/stores.ts';

/** Every file under `dir` with group or other permission bits: none may have any. */
function sharedFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(dir, name))
    .filter((file) => fs.statSync(file).isFile() && (fs.statSync(file).mode & 0o077) !== 0)
    .map((file) => `${path.relative(dir, file)} ${(fs.statSync(file).mode & 0o777).toString(8)}`);
}

describeEachDialect('the data directory and the store files are private', (dialect: DialectName) => {
  let server: RunningServer | undefined;
  let cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    await server?.close();
    server = undefined;
    for (const step of cleanup.reverse()) await step();
    cleanup = [];
  });

  async function start(dataDir: string, warnings: string[]): Promise<RunningServer> {
    const env: Record<string, string> = { RUNLEDGER_ADMIN_PASSWORD: 'correct horse battery', RUNLEDGER_LOG_LEVEL: 'silent' };
    let schema: string | undefined;
    if (dialect === 'postgres') {
      schema = `t_modes_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      const admin = new pg.Client({ connectionString: TEST_PG_URL });
      await admin.connect();
      await admin.query(`create schema ${schema}`);
      await admin.end();
      env.RUNLEDGER_DATABASE_URL = TEST_PG_URL;
      cleanup.push(async () => {
        const c = new pg.Client({ connectionString: TEST_PG_URL });
        await c.connect();
        await c.query(`drop schema ${schema} cascade`);
        await c.end();
      });
    }
    return startServer(loadConfig(env, { dataDir, port: 0, host: '127.0.0.1' }), {
      print: () => undefined,
      warn: (line) => warnings.push(line),
      ...(schema ? { schema } : {}),
    });
  }

  it('creates every file 0600 under a loose umask, tightens an older store, and warns about an open directory', async () => {
    const root = tempDir();
    cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }));
    const dataDir = path.join(root, 'data');
    fs.mkdirSync(dataDir, { mode: 0o755 });
    fs.chmodSync(dataDir, 0o755);
    // files an older version (or a careless copy) left readable by everyone
    fs.writeFileSync(path.join(dataDir, 'server.json'), '{}\n', { mode: 0o644 });
    fs.chmodSync(path.join(dataDir, 'server.json'), 0o644);
    if (dialect === 'sqlite') {
      fs.writeFileSync(path.join(dataDir, 'runledger.db'), '', { mode: 0o644 });
      fs.chmodSync(path.join(dataDir, 'runledger.db'), 0o644);
    }
    const previous = process.umask(0o022);
    const warnings: string[] = [];
    try {
      server = await start(dataDir, warnings);
      // something is written, so the -wal exists
      const res = await server.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { username: 'admin', password: 'correct horse battery' },
      });
      expect(res.statusCode).toBe(200);
    } finally {
      process.umask(previous);
    }
    const files = fs.readdirSync(dataDir);
    if (dialect === 'sqlite') expect(files).toEqual(expect.arrayContaining(['runledger.db', 'runledger.db-wal', 'runledger.db-shm']));
    expect(files).toEqual(expect.arrayContaining(['jwt-secret', 'local-token', 'server.json']));
    expect(sharedFiles(dataDir)).toEqual([]);
    expect(warnings.filter((w) => w.includes('open to every local user'))).toEqual([
      `WARN data directory ${dataDir} is open to every local user (mode 0755); its files are 0600, but run "chmod 700 ${dataDir}"`,
    ]);
  });

  it('says nothing about a private directory, and creates one 0700', async () => {
    const root = tempDir();
    cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }));
    const dataDir = path.join(root, 'fresh');
    const warnings: string[] = [];
    server = await start(dataDir, warnings);
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(warnings.filter((w) => w.includes('open to every local user'))).toEqual([]);
    expect(sharedFiles(dataDir)).toEqual([]);
  });
});
