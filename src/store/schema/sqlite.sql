CREATE TABLE "api_tokens" ("id" text primary key, "user_id" text not null references "users" ("id") on delete cascade, "name" text not null, "token_hash" text not null unique, "prefix" text not null, "created_at" text not null, "expires_at" text, "last_used_at" text, "revoked_at" text);

CREATE TABLE "attachments" ("id" text primary key, "execution_id" text not null references "executions" ("id"), "task_run_id" text not null references "task_runs" ("id"), "file_name" text not null, "size_bytes" bigint not null, "media_type" text not null, "sha256" text not null, "storage" text not null, "storage_key" text not null unique, "thumbnail_key" text, "thumbnail_status" text default 'pending' not null, "thumbnail_error" text, "uploaded_by" text not null, "created_at" text not null, "deleted_at" text, "deleted_by" text, "purged_at" text);

CREATE TABLE "audit_chain_heads" ("subject_type" text not null, "subject_id" text not null, "seq" integer not null, "hash" text, constraint "audit_chain_heads_pk" primary key ("subject_type", "subject_id"));

CREATE TABLE "audit_checkpoints" ("id" text primary key, "seq" integer not null unique, "created_at" text not null, "reason" text not null, "heads" text not null, "prev_hash" text, "hash" text not null, "key_id" text not null, "signature" text not null);

CREATE TABLE "audit_events" ("id" text primary key, "subject_type" text not null, "subject_id" text not null, "seq" integer not null, "execution_id" text, "event_type" text not null, "actor" text not null, "metadata" text not null, "created_at" text not null, "prev_hash" text, "hash" text not null, "key_id" text, "mac" text, constraint "audit_events_subject_seq_uq" unique ("subject_type", "subject_id", "seq"));

CREATE TABLE "audit_keys" ("generation" integer primary key, "key_id" text not null unique, "public_key" text not null, "registered_at" text not null, "heads" text not null, "signature" text not null);

CREATE TABLE "audit_purge_window" ("opened_at" text not null);

CREATE TABLE "browser_sessions" ("id" text primary key, "user_id" text not null references "users" ("id"), "token_hash" text not null unique, "csrf_token" text not null, "created_at" text not null, "expires_at" text not null, "last_seen_at" text not null, "ended_at" text);

CREATE TABLE "execution_inputs" ("execution_id" text not null references "executions" ("id") on delete cascade, "key" text not null, "value" text not null, constraint "execution_inputs_pk" primary key ("execution_id", "key"));

CREATE TABLE "execution_logs" ("execution_id" text not null references "executions" ("id") on delete cascade, "seq" integer not null, "task_run_id" text, "ts" text not null, "level" text not null, "source" text not null, "message" text not null, "metadata" text, constraint "execution_logs_pk" primary key ("execution_id", "seq"));

CREATE TABLE "execution_shares" ("execution_id" text not null references "executions" ("id") on delete cascade, "principal_type" text not null check (principal_type in ('user', 'group')), "principal_id" text not null, "created_by" text references "users" ("id"), "created_at" text not null, constraint "execution_shares_pk" primary key ("execution_id", "principal_type", "principal_id"));

CREATE TABLE "executions" ("id" text primary key, "workflow_id" text not null references "workflows" ("id"), "workflow_version" integer not null, "status" text not null, "trigger" text not null, "triggered_by" text references "users" ("id"), "correlation_id" text, "title" text, "notes" text, "inputs" text not null, "context" text, "error" text, "log_entry_count" integer default 0 not null, "access_scope" text default 'private' not null, "worker_id" text, "created_at" text not null, "started_at" text, "completed_at" text, "updated_at" text not null, "deleted_at" text, "audit_purged_at" text, "deleted_by" text, "deadline_at" text, "stop_requested_at" text, "stop_kind" text, "stop_reason" text, "stop_actor" text, "sealed_secrets" text, "trigger_id" text, "trigger_body" text, "parent_execution_id" text, "parent_task_run_id" text, constraint "executions_workflow_version_fk" foreign key ("workflow_id", "workflow_version") references "workflow_versions" ("workflow_id", "version"));

CREATE TABLE "group_members" ("group_id" text not null references "groups" ("id") on delete cascade, "user_id" text not null references "users" ("id") on delete cascade, "added_at" text not null, constraint "group_members_pk" primary key ("group_id", "user_id"));

CREATE TABLE "groups" ("id" text primary key, "name" text not null unique, "created_by" text references "users" ("id"), "created_at" text not null);

CREATE TABLE "schema_migrations" ("name" varchar(255) not null primary key, "timestamp" varchar(255) not null);

CREATE TABLE "schema_migrations_lock" ("id" varchar(255) not null primary key, "is_locked" integer default 0 not null);

CREATE TABLE "step_result_audit" ("id" text primary key, "task_run_id" text not null, "transition_id" text not null, "execution_id" text not null, "recorded_at" text not null, "worker_id" text, "correlation_id" text, "success" integer not null, "execution_time_ms" integer, constraint "step_result_audit_task_run_transition_uq" unique ("task_run_id", "transition_id"));

CREATE TABLE "task_run_transitions" ("id" text primary key, "task_run_id" text not null references "task_runs" ("id") on delete cascade, "execution_id" text not null references "executions" ("id") on delete cascade, "from_state" text, "to_state" text not null, "metadata" text not null, "created_at" text not null);

CREATE TABLE "task_runs" ("id" text primary key, "execution_id" text not null references "executions" ("id") on delete cascade, "task_id" text not null, "type" text not null, "attempt" integer not null, "status" text not null, "input" text, "output" text, "error" text, "worker_id" text, "notes" text, "completed_by" text references "users" ("id"), "created_at" text not null, "started_at" text, "completed_at" text, "duration_ms" integer, "updated_at" text not null, "available_at" text, "lease_owner" text, "lease_expires_at" text, "heartbeat_at" text, "fence" integer default 0 not null, "sealed_output" text, "phase" text default 'main' not null, "item_index" integer, "item" text, "child_execution_id" text);

CREATE TABLE "trigger_fires" ("id" text primary key, "workflow_id" text not null, "trigger_id" text not null, "kind" text not null, "fire_key" text not null, "due_at" text, "status" text not null, "reason" text, "execution_id" text, "fired_by" text, "created_at" text not null, constraint "trigger_fires_key" unique ("workflow_id", "trigger_id", "fire_key"));

CREATE TABLE "trigger_schedules" ("workflow_id" text not null, "trigger_id" text not null, "cron" text not null, "timezone" text not null, "next_due_at" text not null, "created_at" text not null, "updated_at" text not null, constraint "trigger_schedules_pkey" primary key ("workflow_id", "trigger_id"));

CREATE TABLE "users" ("id" text primary key, "username" text not null unique, "password_hash" text not null, "role" text not null check (role in ('admin', 'member')), "created_at" text not null, "updated_at" text not null, "disabled_at" text, "can_edit_workflows" integer default 0 not null, "failed_logins" integer default 0 not null, "locked_until" text, "credentials_changed_at" text);

CREATE TABLE "webhook_secrets" ("workflow_id" text not null, "trigger_id" text not null, "sealed_secret" text not null, "created_by" text, "created_at" text not null, constraint "webhook_secrets_pkey" primary key ("workflow_id", "trigger_id"));

CREATE TABLE "workflow_versions" ("id" text primary key, "workflow_id" text not null references "workflows" ("id"), "version" integer not null, "definition" text not null, "source" text not null, "source_format" text not null, "checksum" text not null, "created_by" text references "users" ("id"), "created_at" text not null, constraint "workflow_versions_workflow_version_uq" unique ("workflow_id", "version"));

CREATE TABLE "workflows" ("id" text primary key, "name" text not null, "latest_version" integer not null, "created_by" text references "users" ("id"), "created_at" text not null, "updated_at" text not null, "deleted_at" text);

CREATE INDEX "api_tokens_user_idx" on "api_tokens" ("user_id");

CREATE INDEX "attachments_execution_idx" on "attachments" ("execution_id", "created_at");

CREATE INDEX "attachments_uploaded_by_idx" on "attachments" ("uploaded_by", "purged_at");

CREATE INDEX "audit_events_execution_idx" on "audit_events" ("execution_id", "id");

CREATE INDEX "browser_sessions_user_idx" on "browser_sessions" ("user_id");

CREATE INDEX "execution_inputs_lookup_idx" on "execution_inputs" ("key", "value", "execution_id");

CREATE INDEX "execution_logs_task_run_idx" on "execution_logs" ("task_run_id", "seq") where "task_run_id" is not null;

CREATE INDEX "execution_shares_principal_idx" on "execution_shares" ("principal_type", "principal_id", "execution_id");

CREATE INDEX "executions_deadline_idx" on "executions" ("deadline_at") where "deadline_at" is not null and "completed_at" is null;

CREATE INDEX "executions_parent_idx" on "executions" ("parent_execution_id") where "parent_execution_id" is not null;

CREATE INDEX "executions_status_idx" on "executions" ("status", "id");

CREATE INDEX "executions_triggered_by_idx" on "executions" ("triggered_by", "id");

CREATE INDEX "executions_workflow_idx" on "executions" ("workflow_id", "id");

CREATE INDEX "group_members_user_idx" on "group_members" ("user_id", "group_id");

CREATE INDEX "step_result_audit_execution_idx" on "step_result_audit" ("execution_id", "task_run_id");

CREATE INDEX "step_result_audit_worker_idx" on "step_result_audit" ("worker_id") where "worker_id" is not null;

CREATE INDEX "task_run_transitions_execution_idx" on "task_run_transitions" ("execution_id", "id");

CREATE INDEX "task_run_transitions_task_run_idx" on "task_run_transitions" ("task_run_id", "id");

CREATE UNIQUE INDEX task_runs_attempt_uq on task_runs (execution_id, task_id, coalesce(item_index, -1), attempt);

CREATE INDEX "task_runs_claimable_idx" on "task_runs" ("available_at", "id") where "status" = 'pending' and "available_at" is not null;

CREATE INDEX "task_runs_lease_idx" on "task_runs" ("lease_expires_at") where "status" = 'running';

CREATE INDEX "task_runs_status_idx" on "task_runs" ("status", "execution_id");

CREATE INDEX "trigger_schedules_due_idx" on "trigger_schedules" ("next_due_at");

CREATE TRIGGER audit_checkpoints_no_delete before delete on audit_checkpoints
              when not exists (select 1 from audit_purge_window)
              begin select raise(abort, 'audit rows are append-only: DELETE refused'); end;

CREATE TRIGGER audit_checkpoints_no_update before update on audit_checkpoints
              begin select raise(abort, 'audit rows are append-only: UPDATE refused'); end;

CREATE TRIGGER audit_events_no_delete before delete on "audit_events"
                when not exists (select 1 from audit_purge_window)
                begin select raise(abort, 'audit rows are append-only: DELETE refused'); end;

CREATE TRIGGER audit_events_no_update before update on "audit_events"
                begin select raise(abort, 'audit rows are append-only: UPDATE refused'); end;

CREATE TRIGGER audit_keys_no_delete before delete on audit_keys
              begin select raise(abort, 'audit rows are append-only: DELETE refused'); end;

CREATE TRIGGER audit_keys_no_update before update on audit_keys
              begin select raise(abort, 'audit rows are append-only: UPDATE refused'); end;

CREATE TRIGGER step_result_audit_no_delete before delete on "step_result_audit"
                when not exists (select 1 from audit_purge_window)
                begin select raise(abort, 'audit rows are append-only: DELETE refused'); end;

CREATE TRIGGER step_result_audit_no_update before update on "step_result_audit"
                begin select raise(abort, 'audit rows are append-only: UPDATE refused'); end;

CREATE TRIGGER task_run_transitions_step_result_audit after insert on task_run_transitions
      when new.to_state in ('succeeded', 'failed', 'cancelled', 'timed_out')
      begin
        insert or ignore into step_result_audit (id, task_run_id, transition_id, execution_id, recorded_at, worker_id, correlation_id, success, execution_time_ms)
        values (new.id, new.task_run_id, new.id, new.execution_id, new.created_at,
                json_extract(new.metadata, '$.workerId'), json_extract(new.metadata, '$.correlationId'),
                coalesce(json_extract(new.metadata, '$.success'), new.to_state = 'succeeded'),
                json_extract(new.metadata, '$.executionTimeMs'));
      end;
