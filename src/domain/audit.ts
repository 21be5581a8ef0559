import type { TaskRunStatus } from './task-run-status.ts';

/**
 * Audit shapes shared by the store, the verification and the typed client: the API serves them as
 * they are, so they are defined once, here.
 */

/** One step-result audit row with what it points at, joined from its transition and task run. */
export interface StepResultAuditEntry {
  id: string;
  taskRunId: string;
  transitionId: string;
  executionId: string;
  recordedAt: string;
  /** The worker that ran the attempt; null for a step a person ended (see `recordedBy`). */
  workerId: string | null;
  /** Who recorded the result: the worker's id, or the person (username) for a manual step. */
  recordedBy: string | null;
  correlationId: string | null;
  success: boolean;
  executionTimeMs: number | null;
  stepName: string;
  attempt: number;
  fromState: TaskRunStatus | null;
  toState: TaskRunStatus;
  /** The full result, from the transition's metadata (masked when it was written). */
  result: unknown;
}

/** One chain's head at checkpoint time: [subject type, subject id, seq, hash]. */
export type ChainHead = [subjectType: string, subjectId: string, seq: number, hash: string];

/** A signed checkpoint of every chain's head, chained to the previous checkpoint. */
export interface AuditCheckpoint {
  id: string;
  seq: number;
  createdAt: string;
  reason: string;
  heads: ChainHead[];
  prevHash: string | null;
  hash: string;
  keyId: string;
  signature: string;
}

/** The verification of the whole trail: every chain, every lifecycle, the checkpoints and their signatures. */
export interface AuditVerification {
  ok: boolean;
  chains: number;
  events: number;
  checkpoints: number;
  problems: string[];
}
