/**
 * What went wrong with the store, named the way operators search for it: the SQLite result code, the
 * PostgreSQL SQLSTATE or the operating system's errno. `transient` failures leave nothing half-done
 * and go away by themselves (a lock, a deadlock, a lost connection): the same transaction may simply
 * run again. The others (a full disk) need an operator, and writes keep failing until then.
 */
export interface StoreFailure {
  /** `SQLITE_FULL`, `ENOSPC`, `57P01`, … */
  cause: string;
  message: string;
  transient: boolean;
}

const SQLITE_TRANSIENT = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY']);
const SQLITE_UNAVAILABLE = /^SQLITE_(FULL|IOERR|CANTOPEN|READONLY|CORRUPT|NOTADB|PROTOCOL)/;
/** Deadlock, serialization failure, connection ended by an admin or a restart, connection failures, too many connections. */
const PG_TRANSIENT = new Set(['40P01', '40001', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);
/** Disk full, out of memory, read-only. */
const PG_UNAVAILABLE = new Set(['53100', '53200', '25006', '58030']);
const ERRNO_TRANSIENT = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);
const ERRNO_UNAVAILABLE = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO']);

export function storeFailure(e: unknown): StoreFailure | null {
  if (typeof e !== 'object' || e === null) return null;
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : JSON.stringify(e);
  if (typeof code === 'string') {
    if (SQLITE_TRANSIENT.has(code) || PG_TRANSIENT.has(code) || ERRNO_TRANSIENT.has(code)) return { cause: code, message, transient: true };
    if (SQLITE_UNAVAILABLE.test(code) || PG_UNAVAILABLE.has(code) || ERRNO_UNAVAILABLE.has(code))
      return { cause: code, message, transient: false };
  }
  // node-postgres reports a connection lost mid-query without a code.
  if (/Connection terminated|connection is closed|Client has encountered a connection error/i.test(message)) {
    return { cause: 'CONNECTION_LOST', message, transient: true };
  }
  return null;
}

/**
 * Whether writes to the store are failing now, and why: kept by the write paths (state changes and
 * log batches), read by `/readyz`. The cause is logged once when writes start failing and once when
 * they work again, not at every failed write.
 */
export class WriteHealth {
  private failing: { cause: string; message: string; since: string } | null = null;
  /** The failure last logged, and when: a store that flaps between failing and working is not logged at every flip. */
  private logged: { cause: string; at: number } | null = null;

  constructor(private readonly log: (line: string) => void = (line) => console.error(`runledger: ${line}`)) {}

  get failure(): { cause: string; message: string; since: string } | null {
    return this.failing;
  }

  failed(failure: StoreFailure): void {
    if (this.failing?.cause !== failure.cause) {
      this.failing = { cause: failure.cause, message: failure.message, since: new Date().toISOString() };
    }
    const now = Date.now();
    if (this.logged?.cause === failure.cause && now - this.logged.at < LOG_AGAIN_AFTER_MS) return;
    this.logged = { cause: failure.cause, at: now };
    this.log(`store writes are failing: ${failure.cause}: ${failure.message}`);
  }

  succeeded(): void {
    if (!this.failing) return;
    const { cause, since } = this.failing;
    this.failing = null;
    if (this.logged && Date.now() - this.logged.at >= LOG_AGAIN_AFTER_MS) {
      this.log(`store writes work again (they failed with ${cause} since ${since})`);
      this.logged = null;
    }
  }
}

/** How long a failure stays said once before it is said again. */
const LOG_AGAIN_AFTER_MS = 60_000;
