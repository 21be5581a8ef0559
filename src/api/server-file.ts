import fs from 'node:fs';
import path from 'node:path';
import { writePrivateFile } from '../store/private-files.ts';

/** Written next to the data so the CLI on this machine finds the server without set-up. */
export const SERVER_FILE = 'server.json';

interface ServerFileContent {
  url: string;
  pid: number;
}

function read(file: string): Partial<ServerFileContent> | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ServerFileContent>;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: unknown) {
    // EPERM: the process exists but belongs to someone else
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One server per file: several servers may share a data directory on PostgreSQL, and the file names
 * only one of them. A server writes it unless another live process already has; it removes it only
 * while the file is still its own, so stopping one server never hides another that still runs.
 * (On SQLite the process lock already keeps a second server out of the directory.)
 */
export class ServerFile {
  private owned = false;
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, SERVER_FILE);
  }

  /** Writes the file; returns the pid of the live server that keeps it instead, or undefined. */
  claim(url: string): number | undefined {
    const current = read(this.file);
    if (typeof current?.pid === 'number' && current.pid !== process.pid && isAlive(current.pid)) return current.pid;
    writePrivateFile(this.file, `${JSON.stringify({ url, pid: process.pid } satisfies ServerFileContent)}\n`);
    this.owned = true;
    return undefined;
  }

  release(): void {
    if (!this.owned) return;
    this.owned = false;
    if (read(this.file)?.pid === process.pid) fs.rmSync(this.file, { force: true });
  }
}
