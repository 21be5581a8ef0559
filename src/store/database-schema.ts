import type { ColumnType, Generated } from 'kysely';

/**
 * Row shapes as the store reads and writes them. JSON columns are written as JSON text (both
 * dialects accept it) and read back through `fromJson`, because PostgreSQL's `jsonb` arrives parsed
 * while SQLite's `text` arrives as a string. Timestamps are ISO-8601 UTC strings in both dialects
 * (the PostgreSQL pool parses `timestamptz` to ISO strings; see postgres-dialect.ts).
 */
type Json = ColumnType<unknown, string, string>;
type NullableJson = ColumnType<unknown, string | null, string | null>;

export interface WorkflowsTable {
  id: string;
  name: string;
  latest_version: number;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface WorkflowVersionsTable {
  id: string;
  workflow_id: string;
  version: number;
  definition: Json;
  source: string;
  source_format: string;
  checksum: string;
  created_by: string | null;
  created_at: string;
}

export interface ExecutionsTable {
  id: string;
  workflow_id: string;
  workflow_version: number;
  status: string;
  trigger: string;
  triggered_by: string | null;
  correlation_id: string | null;
  title: string | null;
  notes: string | null;
  inputs: Json;
  context: NullableJson;
  error: NullableJson;
  log_entry_count: Generated<number>;
  access_scope: Generated<string>;
  worker_id: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  updated_at: string;
  deleted_at: string | null;
  deleted_by: string | null;
  audit_purged_at: string | null;
  deadline_at: string | null;
  stop_requested_at: string | null;
  stop_kind: string | null;
  stop_reason: string | null;
  /** JSON: the actor who asked (audit shape). */
  stop_actor: string | null;
  sealed_secrets: string | null;
  /** The trigger (of the definition's `triggers:`) that started it, for triggers `schedule` and `webhook`. */
  trigger_id: string | null;
  /** A webhook's JSON body, masked: `{{ trigger.body }}`. */
  trigger_body: NullableJson;
  parent_execution_id: string | null;
  parent_task_run_id: string | null;
}

export interface ExecutionInputsTable {
  execution_id: string;
  key: string;
  value: string;
}

export interface TaskRunsTable {
  id: string;
  execution_id: string;
  task_id: string;
  type: string;
  attempt: number;
  status: string;
  input: NullableJson;
  output: NullableJson;
  error: NullableJson;
  worker_id: string | null;
  notes: string | null;
  completed_by: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  duration_ms: number | null;
  updated_at: string;
  available_at: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  heartbeat_at: string | null;
  fence: Generated<number>;
  sealed_output: string | null;
  phase: Generated<string>;
  item_index: number | null;
  /** JSON, masked. */
  item: string | null;
  child_execution_id: string | null;
}

export interface TaskRunTransitionsTable {
  id: string;
  task_run_id: string;
  execution_id: string;
  from_state: string | null;
  to_state: string;
  metadata: Json;
  created_at: string;
}

export interface UsersTable {
  id: string;
  username: string;
  password_hash: string;
  role: string;
  created_at: string;
  updated_at: string;
  disabled_at: string | null;
  /** 1 when a member may create, edit and delete workflows (admins always may). */
  can_edit_workflows: Generated<number>;
  failed_logins: Generated<number>;
  locked_until: string | null;
  /** When an admin last reset the password: sign-in tokens issued before it are refused. */
  credentials_changed_at: string | null;
}

export interface GroupsTable {
  id: string;
  name: string;
  created_by: string | null;
  created_at: string;
}

export interface GroupMembersTable {
  group_id: string;
  user_id: string;
  added_at: string;
}

export interface ExecutionSharesTable {
  execution_id: string;
  principal_type: 'user' | 'group';
  principal_id: string;
  created_by: string | null;
  created_at: string;
}

export interface AuditEventsTable {
  id: string;
  subject_type: string;
  subject_id: string;
  seq: number;
  execution_id: string | null;
  event_type: string;
  actor: Json;
  metadata: Json;
  created_at: string;
  prev_hash: string | null;
  hash: string;
  /** The deployment key that authenticated the event (absent on events from before authentication). */
  key_id: string | null;
  /** HMAC-SHA256 of `hash` under that key. */
  mac: string | null;
}

/** The deployment's audit key: one row, written at first start; the events before it are listed in `heads`. */
export interface AuditKeysTable {
  generation: number;
  key_id: string;
  public_key: string;
  registered_at: string;
  /** Every chain's head when the key was registered: the events up to there carry no MAC. */
  heads: Json;
  /** Ed25519 signature of the registration by the key itself. */
  signature: string;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface ExecutionLogsTable {
  execution_id: string;
  seq: number;
  task_run_id: string | null;
  ts: string;
  level: string;
  source: string;
  message: string;
  metadata: NullableJson;
}

export interface AuditChainHeadsTable {
  subject_type: string;
  subject_id: string;
  seq: number;
  hash: string | null;
}

export interface StepResultAuditTable {
  id: string;
  task_run_id: string;
  transition_id: string;
  execution_id: string;
  recorded_at: string;
  worker_id: string | null;
  correlation_id: string | null;
  /** boolean on PostgreSQL, 0/1 on SQLite */
  success: boolean | number;
  execution_time_ms: number | null;
}

/** A row exists only inside a retention purge's transaction: the audit triggers then allow DELETE. */
export interface AuditPurgeWindowTable {
  opened_at: string;
}

export interface AuditCheckpointsTable {
  id: string;
  seq: number;
  created_at: string;
  reason: string;
  heads: Json;
  prev_hash: string | null;
  hash: string;
  key_id: string;
  signature: string;
}

export interface AttachmentsTable {
  id: string;
  execution_id: string;
  task_run_id: string;
  file_name: string;
  /** bigint: PostgreSQL returns it as a string. */
  size_bytes: number | string;
  media_type: string;
  sha256: string;
  storage: string;
  storage_key: string;
  thumbnail_key: string | null;
  thumbnail_status: Generated<string>;
  thumbnail_error: string | null;
  uploaded_by: string;
  created_at: string;
  deleted_at: string | null;
  deleted_by: string | null;
  purged_at: string | null;
}

export interface BrowserSessionsTable {
  id: string;
  user_id: string;
  token_hash: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  ended_at: string | null;
}

/** One schedule trigger of a workflow's latest version and its next due time (claimed by moving it on). */
export interface TriggerSchedulesTable {
  workflow_id: string;
  trigger_id: string;
  cron: string;
  timezone: string;
  next_due_at: string;
  created_at: string;
  updated_at: string;
}

/** What became of one due time or one webhook request. */
export interface TriggerFiresTable {
  id: string;
  workflow_id: string;
  trigger_id: string;
  kind: string;
  /** The due time (schedule) or the request's signature (webhook): unique per trigger. */
  fire_key: string;
  due_at: string | null;
  status: string;
  reason: string | null;
  execution_id: string | null;
  fired_by: string | null;
  created_at: string;
}

/** A webhook trigger's signing secret, sealed under the secret key. */
export interface WebhookSecretsTable {
  workflow_id: string;
  trigger_id: string;
  sealed_secret: string;
  created_by: string | null;
  created_at: string;
}

export interface Database {
  trigger_schedules: TriggerSchedulesTable;
  trigger_fires: TriggerFiresTable;
  webhook_secrets: WebhookSecretsTable;
  browser_sessions: BrowserSessionsTable;
  attachments: AttachmentsTable;
  audit_checkpoints: AuditCheckpointsTable;
  audit_keys: AuditKeysTable;
  audit_purge_window: AuditPurgeWindowTable;
  step_result_audit: StepResultAuditTable;
  audit_chain_heads: AuditChainHeadsTable;
  execution_logs: ExecutionLogsTable;
  workflows: WorkflowsTable;
  workflow_versions: WorkflowVersionsTable;
  executions: ExecutionsTable;
  execution_inputs: ExecutionInputsTable;
  task_runs: TaskRunsTable;
  task_run_transitions: TaskRunTransitionsTable;
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  execution_shares: ExecutionSharesTable;
  audit_events: AuditEventsTable;
  api_tokens: ApiTokensTable;
}
