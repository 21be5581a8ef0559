/**
 * Response shapes of the REST API as the client sees them. They mirror `api/presenters.ts`; the
 * domain enums are imported as types only, so the client carries no server code at run time.
 */
import type { AuditCheckpoint, AuditVerification, ChainHead, StepResultAuditEntry } from '../domain/audit.ts';
import type { ExecutionStatus } from '../domain/execution-status.ts';
import type { Role, Trigger } from '../domain/records.ts';
import type { TaskFailure } from '../domain/task-failure.ts';
import type { TaskRunStatus } from '../domain/task-run-status.ts';
import type { TaskType, WorkflowDefinition } from '../domain/workflow-definition.ts';

export type {
  AuditCheckpoint,
  AuditVerification,
  ChainHead,
  ExecutionStatus,
  StepResultAuditEntry,
  Role,
  TaskFailure,
  TaskRunStatus,
  TaskType,
  Trigger,
  WorkflowDefinition,
};

/** `GET /v1/workflows` items. */
export interface WorkflowSummary {
  id: string;
  name: string;
  latestVersion: number;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

/** `GET /v1/workflows/:id`: the workflow and its latest definition. */
export interface WorkflowDetail extends WorkflowSummary {
  definition: WorkflowDefinition;
}

/** `POST /v1/workflows` (201). */
export interface CreatedWorkflow extends WorkflowDetail {
  version: number;
}

/** `PUT /v1/workflows/:id`: `created` is true on 201 (a new workflow), `changed` false when nothing was new. */
export interface AppliedWorkflow extends WorkflowDetail {
  version: number;
  changed: boolean;
  created: boolean;
}

/** `GET /v1/workflows/:id/versions` items. */
export interface WorkflowVersionView {
  id: string;
  workflowId: string;
  version: number;
  checksum: string;
  createdBy: string | null;
  createdAt: string;
  definition: WorkflowDefinition;
  source: string;
  sourceFormat: 'yaml' | 'json';
}

/** One row of the execution history. */
export interface ExecutionSummary {
  id: string;
  workflowId: string;
  workflowVersion: number;
  status: ExecutionStatus;
  trigger: Trigger;
  triggeredBy: string | null;
  correlationId: string | null;
  title: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
  error: TaskFailure | null;
}

/** `GET /v1/executions` items: a summary that also names the procedure (workflow) and the executor. */
export interface ExecutionListItem extends ExecutionSummary {
  /** The workflow's name, the procedure; null when the workflow was deleted. */
  workflowName: string | null;
  /** The username of the executor (`triggeredBy`), when that user still exists. */
  triggeredByUsername: string | null;
}

/** One attempt of one task. */
export interface TaskRunView {
  id: string;
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
}

export interface ExecutionContextSnapshot {
  inputs: Record<string, unknown>;
  tasks: Record<string, { status: TaskRunStatus; attempt: number; output: unknown }>;
}

/** `GET /v1/executions/:id`: the whole execution with every task run. */
export interface ExecutionDetail extends ExecutionSummary {
  /** The username behind `triggeredBy`, when that user still exists. */
  triggeredByUsername: string | null;
  notes: string | null;
  inputs: Record<string, unknown>;
  context: ExecutionContextSnapshot | null;
  logEntryCount: number;
  accessScope: string;
  updatedAt: string;
  taskRuns: TaskRunView[];
}

/** A keyset page: pass `nextCursor` back as `cursor` for the next one; null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ListResult<T> {
  items: T[];
}

/** `POST /v1/workflows/:id/run` (202). */
export interface RunStarted {
  executionId: string;
  status: ExecutionStatus;
}

export interface UserView {
  id: string;
  username: string;
  role: Role;
}

/** A user as administrators see it: `GET /v1/admin/users` items, and the answer of creating or changing one. */
export interface UserDetail extends UserView {
  createdAt: string;
  updatedAt: string;
  /** When the user was disabled; a disabled user can neither sign in nor use their tokens. */
  disabledAt: string | null;
  /** The workflow-editing grant (admins may edit workflows without it). */
  canEditWorkflows: boolean;
}

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

/** A user named in a group or a share. */
export interface UserRef {
  id: string;
  username: string;
}

/** A group named in a share. */
export interface GroupRef {
  id: string;
  name: string;
}

/** `GET /v1/admin/groups` items, and the answer of creating a group or changing its members. */
export interface GroupView extends GroupRef {
  createdBy: string | null;
  createdAt: string;
  members: UserRef[];
}

/** `private`: the owner and admins only; `shared`: also the users and groups shared with. */
export type ShareScope = 'private' | 'shared';

/** `GET`/`PUT /v1/executions/:id/shares`: who may read an execution besides its owner and admins. */
export interface ExecutionShares {
  scope: ShareScope;
  users: UserRef[];
  groups: GroupRef[];
}

/** `PUT /v1/executions/:id/shares`: replaces the whole set; users and groups by id or by name. */
export interface SharesChange {
  scope: ShareScope;
  users?: readonly string[];
  groups?: readonly string[];
}

/** `POST /v1/auth/login`: a session token (JWT). */
export interface LoginResult {
  token: string;
  user: UserView;
}

/** `GET /v1/me`. */
export interface Me {
  id: string | null;
  username: string | null;
  role: Role | null;
  via: 'user' | 'token' | 'system';
}

/** An API token's record; its value is never shown again after creation. */
export interface ApiTokenView {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** `POST /v1/tokens` (201): the record plus the token value, shown once. */
export interface CreatedApiToken extends ApiTokenView {
  token: string;
}

export interface Health {
  status: string;
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

/** `GET /v1/executions/count`. */
export interface ExecutionCount {
  count: number;
}

export interface RunOptions {
  inputs?: Record<string, unknown>;
  title?: string;
  correlationId?: string;
  version?: number;
}

/** The subjects whose audit chains `GET /v1/audit` can filter by. */
export type AuditSubjectType = 'execution' | 'workflow' | 'user' | 'group' | 'login' | 'security';

/** Who acted, as an audit event names them; `anonymous` when nobody was signed in. */
export interface AuditActor {
  kind: 'user' | 'token' | 'worker' | 'system' | 'anonymous';
  userId?: string | null;
  username?: string | null;
  /** The API token used, for `token`. */
  tokenId?: string;
  /** The process that acted, for `worker`. */
  workerId?: string;
}

/** One immutable audit event, chained by hash to the previous event of the same subject. */
export interface AuditEvent {
  id: string;
  subjectType: string;
  subjectId: string;
  /** Position in its subject's chain: 1, 2, 3… */
  seq: number;
  executionId: string | null;
  eventType: string;
  actor: AuditActor;
  metadata: Record<string, unknown>;
  createdAt: string;
  prevHash: string | null;
  hash: string;
}

/** One chain's check: every link and hash, and for an execution its lifecycle; `problems` names the first break. */
export interface ChainVerification {
  ok: boolean;
  /** Events checked. */
  checked: number;
  problems: string[];
}

/** `GET /v1/executions/:id/audit`: the execution's events in chain order and whether the chain verifies. */
export interface ExecutionAudit {
  items: AuditEvent[];
  verification: ChainVerification;
}

/** Filters of `GET /v1/audit`; `limit` 1-1000 (default 100). */
export interface AuditFilter {
  subjectType?: AuditSubjectType;
  /** An event type such as `LOGIN_FAILED`. */
  eventType?: string;
  limit?: number;
}

/** `GET /v1/audit/checkpoints/latest`: the checkpoint and the server's public audit key (PEM), to keep outside the server. */
export interface ExportedCheckpoint extends AuditCheckpoint {
  publicKey: string;
}

/** `verifyAudit`: one execution's chain only, and/or also against a checkpoint kept outside the server. */
export interface AuditVerifyOptions {
  execution?: string;
  checkpoint?: AuditCheckpoint;
}

/** The levels of log lines, least severe first: DEBUG, INFO, WARN, ERROR. */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** One line an execution produced (`GET /v1/executions/:id/logs` items), `seq` 1, 2, 3… per execution. */
export interface LogLine {
  seq: number;
  /** The task run that wrote it; null for the scheduler's own lines. */
  taskRunId: string | null;
  ts: string;
  /** `DEBUG`, `INFO`, `WARN` or `ERROR`. */
  level: string;
  /** Who wrote it: `scheduler`, `task:<id>` (log tasks), `task:<id>:stdout` / `task:<id>:stderr` (shell tasks)… */
  source: string;
  message: string;
}

/** `GET /v1/executions/:id/logs`: one page; pass `nextSeq` back as `afterSeq` while `hasMore`. */
export interface LogPage {
  items: LogLine[];
  nextSeq: number;
  hasMore: boolean;
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
  /** Page size, 1-1000 (default 1000). */
  limit?: number;
}

/** What `followLogs` yields: each line as it is written, then once the execution's end. */
export type LogEvent = { type: 'line'; line: LogLine } | { type: 'end'; status: ExecutionStatus; lastSeq: number };

/** The retention settings of the server, in days after an execution ended. */
export interface RetentionPolicy {
  logDays: number;
  auditDays: number;
}

/** One table of the store: its rows and its size in bytes (null when the database cannot tell). */
export interface TableStats {
  table: string;
  rows: number;
  bytes: number | null;
}

/** `GET /v1/admin/retention/stats` (admins). */
export interface RetentionStats {
  policy: RetentionPolicy;
  tables: TableStats[];
  /** Executions per status, e.g. `{ completed: 12, failed: 2 }`. */
  executionsByStatus: Record<string, number>;
  /** When the oldest execution, log line and audit event were written; null when there is none. */
  oldest: { execution: string | null; logLine: string | null; auditEvent: string | null };
}

/** The statuses whose executions `cleanup` may be limited to. */
export type CleanupStatus = 'completed' | 'failed' | 'cancelled' | 'timed_out';

/** `POST /v1/admin/retention/cleanup`: `olderThanDays` overrides the log retention for this run. */
export interface CleanupRequest {
  olderThanDays?: number;
  status?: CleanupStatus;
  /** Report what would be deleted, delete nothing. */
  dryRun?: boolean;
}

/** What a cleanup deleted (or, on a dry run, would delete); `before` is each cutoff (executions that ended earlier). */
export interface CleanupReport {
  dryRun: boolean;
  logLines: { before: string; deleted: number };
  audit: { before: string; chains: number; events: number };
}
