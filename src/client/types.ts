/**
 * The shapes of the REST API as the client sees them. Every answer's type is inferred from the
 * schema the server declares for it (`domain/wire`), so the two cannot drift; the request-side
 * types (filters, options) are the client's own. Types only: the client carries no server code.
 */
import type { z } from 'zod';
import type * as wire from '../domain/wire/index.ts';
import type { AuditCheckpoint, AuditVerification, ChainHead, StepResultAuditEntry } from '../domain/audit.ts';
import type { ExecutionStatus } from '../domain/execution-status.ts';
import type { Role, Trigger } from '../domain/records.ts';
import type { TaskFailure } from '../domain/task-failure.ts';
import type { TaskRunStatus } from '../domain/task-run-status.ts';
import type { TaskType, WorkflowDefinition } from '../domain/workflow-definition.ts';
import type { LogLevel } from '../domain/wire/log-wire.ts';

export type {
  AuditCheckpoint,
  AuditVerification,
  ChainHead,
  ExecutionStatus,
  LogLevel,
  StepResultAuditEntry,
  Role,
  TaskFailure,
  TaskRunStatus,
  TaskType,
  Trigger,
  WorkflowDefinition,
};

type Out<T extends z.ZodType> = z.output<T>;

export type WorkflowSummary = Out<typeof wire.workflowSummaryWire>;
export type WorkflowDetail = Out<typeof wire.workflowDetailWire>;
export type CreatedWorkflow = Out<typeof wire.createdWorkflowWire>;
/** `PUT /v1/workflows/:id`: `created` is true on 201 (a new workflow), `changed` false when nothing was new. */
export type AppliedWorkflow = Out<typeof wire.appliedWorkflowWire> & { created: boolean };
export type WorkflowVersionView = Out<typeof wire.workflowVersionWire>;
export type ExecutionSummary = Out<typeof wire.executionSummaryWire>;
export type ExecutionListItem = Out<typeof wire.executionListItemWire>;
export type TaskRunView = Out<typeof wire.taskRunWire>;
export type ExecutionContextSnapshot = Out<typeof wire.executionContextWire>;
export type ExecutionDetail = Out<typeof wire.executionDetailWire>;
export type ExecutionCount = Out<typeof wire.executionCountWire>;
export type RunStarted = Out<typeof wire.runStartedWire>;
export type ScheduleView = Out<typeof wire.scheduleWire>;
export type WebhookSecret = Out<typeof wire.webhookSecretWire>;
export type UserView = Out<typeof wire.userViewWire>;
export type UserDetail = Out<typeof wire.userDetailWire>;
export type UserRef = Out<typeof wire.userRefWire>;
export type GroupRef = Out<typeof wire.groupRefWire>;
export type GroupView = Out<typeof wire.groupViewWire>;
export type ExecutionShares = Out<typeof wire.executionSharesWire>;
export type LoginResult = Out<typeof wire.loginResultWire>;
export type Me = Out<typeof wire.meWire>;
export type BrowserSession = Out<typeof wire.browserSessionWire>;
export type ApiTokenView = Out<typeof wire.apiTokenWire>;
export type CreatedApiToken = Out<typeof wire.createdApiTokenWire>;
export type Health = Out<typeof wire.healthWire>;
/**
 * Who acted, as an audit event names them. The server keeps the actor as the JSON object it recorded
 * (`AuditActor` on the wire is any object); these are the members it writes.
 */
export interface AuditActor {
  kind: 'user' | 'token' | 'worker' | 'system' | 'anonymous';
  userId?: string | null;
  username?: string | null;
  tokenId?: string | null;
  workerId?: string;
}
export type AuditEvent = Omit<Out<typeof wire.auditEventWire>, 'actor'> & { actor: AuditActor };
export type ChainVerification = Out<typeof wire.chainVerificationWire>;
export type ExecutionAudit = { items: AuditEvent[]; verification: ChainVerification };
export type ExportedCheckpoint = Out<typeof wire.exportedCheckpointWire>;
export type LogLine = Out<typeof wire.logLineWire>;
export type LogPage = Out<typeof wire.logPageWire>;
export type LogSummary = Out<typeof wire.logSummaryWire>;
export type LogSearch = Out<typeof wire.logSearchWire>;
export type RetentionPolicy = Out<typeof wire.retentionPolicyWire>;
export type RetentionStats = Out<typeof wire.retentionStatsWire>;
export type TableStats = RetentionStats['tables'][number];
export type CleanupReport = Out<typeof wire.cleanupReportWire>;

/** A keyset page: pass `nextCursor` back as `cursor` for the next one; null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ListResult<T> {
  items: T[];
}

/** `private`: the owner and admins only; `shared`: also the users and groups shared with. */
export type ShareScope = 'private' | 'shared';

/** `POST /v1/admin/users`; `role` defaults to `member`, `canEditWorkflows` to false. */
export interface NewUser {
  username: string;
  /** At least 8 characters. */
  password: string;
  role?: Role;
  canEditWorkflows?: boolean;
}

/** `PATCH /v1/admin/users/:id`: only the fields given change. */
export interface UserChanges {
  role?: Role;
  password?: string;
  disabled?: boolean;
  canEditWorkflows?: boolean;
}

/** `PUT /v1/executions/:id/shares`: replaces the whole set; users and groups by id or by name. */
export interface SharesChange {
  scope: ShareScope;
  users?: readonly string[];
  groups?: readonly string[];
}

/** Filters of `GET /v1/executions`; `from`/`to` are ISO-8601 dates or timestamps. */
export interface ExecutionFilters {
  status?: readonly string[];
  workflow?: string;
  triggeredBy?: string;
  /** A workflow id, or a case-insensitive substring of the workflow's name (the procedure). */
  procedure?: string;
  /** Who started it (the executor): a username or a user id. */
  executor?: string;
  /** Admins: soft-deleted executions instead of live ones. */
  deleted?: boolean;
  from?: string;
  to?: string;
  /** Case-insensitive substring of the title or the notes. */
  keyword?: string;
  /** Input values that must all match, sent as `input.<name>=<value>`. */
  inputs?: Record<string, string>;
  cursor?: string;
  limit?: number;
}

/** Filters of `GET /v1/executions/count` (and a workflow's): those of the list without paging. */
export type ExecutionCountFilter = Omit<ExecutionFilters, 'cursor' | 'limit'>;

export interface RunOptions {
  inputs?: Record<string, unknown>;
  title?: string;
  correlationId?: string;
  version?: number;
}

/** One input set of a bulk start (`runWorkflowMany`). */
export interface BulkRunItem {
  inputs: Record<string, unknown>;
  title?: string;
  correlationId?: string;
}

/** The subjects whose audit chains `GET /v1/audit` can filter by. */
export type AuditSubjectType = 'execution' | 'workflow' | 'user' | 'group' | 'login' | 'security';

/** Filters of `GET /v1/audit`; `limit` 1-1000 (default 100). */
export interface AuditFilter {
  subjectType?: AuditSubjectType;
  /** An event type such as `LOGIN_FAILED`. */
  eventType?: string;
  limit?: number;
}

/** `audit.verify`: one execution's chain only, and/or also against a checkpoint kept outside the server. */
export interface AuditVerifyOptions {
  execution?: string;
  checkpoint?: AuditCheckpoint;
}

/** Filters of `GET /v1/executions/:id/logs`. */
export interface LogFilter {
  /** Only these levels (any case). */
  level?: readonly string[];
  /** A duration back from now (`30s`, `5m`, `2h`, `1d`) or a timestamp. */
  since?: string;
  /** A task id: the lines of every attempt of that task. */
  task?: string;
  /** Lines after this seq (the cursor; default 0). */
  afterSeq?: number;
  /** The lines just before this seq instead, still in ascending order (paging backwards; past the end: the tail). */
  beforeSeq?: number;
  /** Page size, 1-1000 (default 1000). */
  limit?: number;
}

/** What `followLogs` yields: each line as it is written, then once the execution's end. */
export type LogEvent = { type: 'line'; line: LogLine } | { type: 'end'; status: ExecutionStatus; lastSeq: number };

/** The statuses whose executions `cleanup` may be limited to. */
export type CleanupStatus = 'completed' | 'failed' | 'cancelled' | 'timed_out';

/** `POST /v1/admin/retention/cleanup`: `olderThanDays` overrides the log retention for this run. */
export interface CleanupRequest {
  olderThanDays?: number;
  status?: CleanupStatus;
  /** Report what would be deleted, delete nothing. */
  dryRun?: boolean;
}
