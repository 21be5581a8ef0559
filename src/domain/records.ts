import type { ExecutionStatus } from './execution-status.ts';
import type { TaskFailure } from './task-failure.ts';
import type { TaskRunStatus } from './task-run-status.ts';
import type { TaskType, WorkflowDefinition } from './workflow-definition.ts';

/** How an execution was started. */
export const TRIGGERS = ['api', 'cli', 'schedule', 'manual', 'webhook', 'workflow'] as const;
export type Trigger = (typeof TRIGGERS)[number];

export interface Workflow {
  id: string;
  name: string;
  latestVersion: number;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WorkflowVersion {
  id: string;
  workflowId: string;
  version: number;
  definition: WorkflowDefinition;
  source: string;
  sourceFormat: 'yaml' | 'json';
  checksum: string;
  createdBy: string | null;
  createdAt: string;
}

export interface Execution {
  id: string;
  workflowId: string;
  workflowVersion: number;
  status: ExecutionStatus;
  trigger: Trigger;
  /** The trigger of the definition that started it (`schedule`, `webhook`); null for other starts. */
  triggerId: string | null;
  triggeredBy: string | null;
  correlationId: string | null;
  title: string | null;
  notes: string | null;
  /** Masked: secret inputs read `***`. */
  inputs: Record<string, unknown>;
  /** The final context snapshot (inputs and every task's output, masked), set when the execution ends. */
  context: ExecutionContextSnapshot | null;
  error: TaskFailure | null;
  logEntryCount: number;
  accessScope: string;
  workerId: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  updatedAt: string;
  /** For a child execution (trigger `workflow`): the execution and the `workflow` task run that started it. */
  parentExecutionId: string | null;
  parentTaskRunId: string | null;
}

export interface ExecutionContextSnapshot {
  inputs: Record<string, unknown>;
  tasks: Record<string, { status: TaskRunStatus; attempt: number; output: unknown }>;
}

export interface TaskRun {
  id: string;
  executionId: string;
  taskId: string;
  type: TaskType;
  attempt: number;
  status: TaskRunStatus;
  input: unknown;
  output: unknown;
  error: TaskFailure | null;
  workerId: string | null;
  notes: string | null;
  completedBy: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
  updatedAt: string;
  /** A pending run is claimable from this time on; null until its dependencies have succeeded. */
  availableAt: string | null;
  /** The worker holding a running attempt, until when, and the claim count checked on its reports. */
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  fence: number;
  /** Its output in clear is kept sealed for templates downstream (erased when the execution ends). */
  outputSealed: boolean;
  /** `main`, or `on_failure` for the tasks that run once the execution has failed. */
  phase: TaskRunPhase;
  /** One item of a `for_each` task: its position in the list; null on every other run. */
  itemIndex: number | null;
  /** That item, masked; null on every other run. */
  item: unknown;
  /** A `workflow` task's child execution, once started. */
  childExecutionId: string | null;
}

/** The part of an execution a task run belongs to. */
export const TASK_RUN_PHASES = ['main', 'on_failure'] as const;
export type TaskRunPhase = (typeof TASK_RUN_PHASES)[number];

/** What became of an attachment's thumbnail: made, refused or failed (`failed`), or not applicable (`none`). */
export const THUMBNAIL_STATUSES = ['pending', 'ready', 'failed', 'none'] as const;
export type ThumbnailStatus = (typeof THUMBNAIL_STATUSES)[number];

/** One evidence file attached to a step. The bytes are in blob storage under `storageKey`. */
export interface Attachment {
  id: string;
  executionId: string;
  taskRunId: string;
  /** The uploader's name, sanitised: display text only, never part of a path or key. */
  fileName: string;
  sizeBytes: number;
  /** Sniffed from the bytes, not taken from the name or the request. */
  mediaType: string;
  sha256: string;
  storage: 'local' | 's3';
  storageKey: string;
  thumbnailKey: string | null;
  thumbnailStatus: ThumbnailStatus;
  thumbnailError: string | null;
  uploadedBy: string;
  createdAt: string;
  deletedAt: string | null;
  deletedBy: string | null;
  /** When its object was removed from storage (after the deletion grace period). */
  purgedAt: string | null;
}

export interface TaskRunTransition {
  id: string;
  taskRunId: string;
  executionId: string;
  fromState: TaskRunStatus | null;
  toState: TaskRunStatus;
  metadata: Record<string, unknown>;
  createdAt: string;
}

export const ROLES = ['admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  username: string;
  role: Role;
  createdAt: string;
  updatedAt: string;
  disabledAt: string | null;
  canEditWorkflows: boolean;
}

/** Who did something: recorded as `triggered_by`, `completed_by` and on audit events. */
export interface Actor {
  kind: 'user' | 'token' | 'worker' | 'system';
  /** For `worker`: the process that acted. */
  workerId?: string;
  userId: string | null;
  username: string | null;
  role: Role | null;
  tokenId?: string | null;
  /** A member granted creating, editing and deleting workflows. */
  canEditWorkflows?: boolean;
}
