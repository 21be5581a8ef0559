import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { writePrivateFile } from './private-files.ts';

/** Held by the one process that may use an embedded (SQLite) store. */
const LOCK_FILE = 'process.lock';
/** Who holds it, for the message a second process prints. */
const HOLDER_FILE = 'process.json';

export class StoreInUseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreInUseError';
  }
}

export interface ProcessLock {
  release(): void;
}

/**
 * The embedded store is single-node: one process per data directory runs the server or the worker.
 * The lock is an exclusive SQLite transaction on a file of its own, held for the life of the
 * process; the operating system releases it when the process ends, however it ends (SIGKILL too),
 * so a stale lock never blocks a restart. A second process gets a clear error naming the first.
 */
export function acquireProcessLock(dataDir: string, role: string): ProcessLock {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new SqliteDatabase(path.join(dataDir, LOCK_FILE));
  db.pragma('busy_timeout = 0');
  try {
    db.exec('BEGIN EXCLUSIVE');
  } catch (e: unknown) {
    db.close();
    if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
    throw new StoreInUseError(
      `another Runledger process (${describeHolder(dataDir)}) already uses the data directory ${dataDir}; ` +
        'the embedded SQLite store is single-node: stop it first, or use PostgreSQL (RUNLEDGER_DATABASE_URL) to run several nodes',
    );
  }
  const holder = path.join(dataDir, HOLDER_FILE);
  writePrivateFile(holder, `${JSON.stringify({ pid: process.pid, role, since: new Date().toISOString() })}\n`);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      fs.rmSync(holder, { force: true });
      db.close();
    },
  };
}

function describeHolder(dataDir: string): string {
  try {
    const { pid, role } = JSON.parse(fs.readFileSync(path.join(dataDir, HOLDER_FILE), 'utf8')) as { pid?: number; role?: string };
    return `${role ?? 'a process'}, pid ${pid ?? 'unknown'}`;
  } catch {
    return 'pid unknown';
  }
}
