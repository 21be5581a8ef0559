/** How a worker process claims and runs attempts (`runledger worker`, and `serve` with its worker). */
export interface WorkerOptions {
  /** Attempts this process runs at once. */
  concurrency: number;
  /** How long a claim holds without a heartbeat. */
  leaseMs: number;
  /** How often held leases are renewed (and stop requests looked for); a third of the lease by default. */
  heartbeatMs?: number;
  /** Longest wait between two looks for work when no wake-up comes. */
  pollMs: number;
  /** Most runs claimed in one transaction. */
  claimBatch?: number;
}
