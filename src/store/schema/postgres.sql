table api_tokens (
  id text not null,
  user_id text not null,
  name text not null,
  token_hash text not null,
  prefix text not null,
  created_at timestamp with time zone not null,
  expires_at timestamp with time zone,
  last_used_at timestamp with time zone,
  revoked_at timestamp with time zone,
  constraint api_tokens_pkey PRIMARY KEY (id),
  constraint api_tokens_token_hash_key UNIQUE (token_hash),
  constraint api_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
);

table attachments (
  id text not null,
  execution_id text not null,
  task_run_id text not null,
  file_name text not null,
  size_bytes bigint not null,
  media_type text not null,
  sha256 text not null,
  storage text not null,
  storage_key text not null,
  thumbnail_key text,
  thumbnail_status text not null default 'pending'::text,
  thumbnail_error text,
  uploaded_by text not null,
  created_at timestamp with time zone not null,
  deleted_at timestamp with time zone,
  deleted_by text,
  purged_at timestamp with time zone,
  constraint attachments_execution_id_fkey FOREIGN KEY (execution_id) REFERENCES executions(id),
  constraint attachments_pkey PRIMARY KEY (id),
  constraint attachments_storage_key_key UNIQUE (storage_key),
  constraint attachments_task_run_id_fkey FOREIGN KEY (task_run_id) REFERENCES task_runs(id)
);

table audit_chain_heads (
  subject_type text not null,
  subject_id text not null,
  seq integer not null,
  hash text,
  constraint audit_chain_heads_pk PRIMARY KEY (subject_type, subject_id)
);

table audit_checkpoints (
  id text not null,
  seq integer not null,
  created_at timestamp with time zone not null,
  reason text not null,
  heads jsonb not null,
  prev_hash text,
  hash text not null,
  key_id text not null,
  signature text not null,
  constraint audit_checkpoints_pkey PRIMARY KEY (id),
  constraint audit_checkpoints_seq_key UNIQUE (seq)
);

table audit_events (
  id text not null,
  subject_type text not null,
  subject_id text not null,
  seq integer not null,
  execution_id text,
  event_type text not null,
  actor jsonb not null,
  metadata jsonb not null,
  created_at timestamp with time zone not null,
  prev_hash text,
  hash text not null,
  key_id text,
  mac text,
  constraint audit_events_pkey PRIMARY KEY (id),
  constraint audit_events_subject_seq_uq UNIQUE (subject_type, subject_id, seq)
);

table audit_keys (
  generation integer not null,
  key_id text not null,
  public_key text not null,
  registered_at timestamp with time zone not null,
  heads text not null,
  signature text not null,
  constraint audit_keys_key_id_key UNIQUE (key_id),
  constraint audit_keys_pkey PRIMARY KEY (generation)
);

table audit_purge_window (
  opened_at timestamp with time zone not null
);

table browser_sessions (
  id text not null,
  user_id text not null,
  token_hash text not null,
  csrf_token text not null,
  created_at timestamp with time zone not null,
  expires_at timestamp with time zone not null,
  last_seen_at timestamp with time zone not null,
  ended_at timestamp with time zone,
  constraint browser_sessions_pkey PRIMARY KEY (id),
  constraint browser_sessions_token_hash_key UNIQUE (token_hash),
  constraint browser_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id)
);

table execution_inputs (
  execution_id text not null,
  key text not null,
  value text not null,
  constraint execution_inputs_execution_id_fkey FOREIGN KEY (execution_id) REFERENCES executions(id) ON DELETE CASCADE,
  constraint execution_inputs_pk PRIMARY KEY (execution_id, key)
);

table execution_logs (
  execution_id text not null,
  seq integer not null,
  task_run_id text,
  ts timestamp with time zone not null,
  level text not null,
  source text not null,
  message text not null,
  metadata jsonb,
  constraint execution_logs_execution_id_fkey FOREIGN KEY (execution_id) REFERENCES executions(id) ON DELETE CASCADE,
  constraint execution_logs_pk PRIMARY KEY (execution_id, seq)
) partition by RANGE (execution_id), default partition execution_logs_default;

table execution_shares (
  execution_id text not null,
  principal_type text not null,
  principal_id text not null,
  created_by text,
  created_at timestamp with time zone not null,
  constraint execution_shares_created_by_fkey FOREIGN KEY (created_by) REFERENCES users(id),
  constraint execution_shares_execution_id_fkey FOREIGN KEY (execution_id) REFERENCES executions(id) ON DELETE CASCADE,
  constraint execution_shares_pk PRIMARY KEY (execution_id, principal_type, principal_id),
  constraint execution_shares_principal_type_check CHECK ((principal_type = ANY (ARRAY['user'::text, 'group'::text])))
);

table executions (
  id text not null,
  workflow_id text not null,
  workflow_version integer not null,
  status text not null,
  trigger text not null,
  triggered_by text,
  correlation_id text,
  title text,
  notes text,
  inputs jsonb not null,
  context jsonb,
  error jsonb,
  log_entry_count integer not null default 0,
  access_scope text not null default 'private'::text,
  worker_id text,
  created_at timestamp with time zone not null,
  started_at timestamp with time zone,
  completed_at timestamp with time zone,
  updated_at timestamp with time zone not null,
  deleted_at timestamp with time zone,
  audit_purged_at timestamp with time zone,
  deleted_by text,
  deadline_at timestamp with time zone,
  stop_requested_at timestamp with time zone,
  stop_kind text,
  stop_reason text,
  stop_actor text,
  sealed_secrets text,
  trigger_id text,
  trigger_body jsonb,
  parent_execution_id text,
  parent_task_run_id text,
  constraint executions_pkey PRIMARY KEY (id),
  constraint executions_triggered_by_fkey FOREIGN KEY (triggered_by) REFERENCES users(id),
  constraint executions_workflow_id_fkey FOREIGN KEY (workflow_id) REFERENCES workflows(id),
  constraint executions_workflow_version_fk FOREIGN KEY (workflow_id, workflow_version) REFERENCES workflow_versions(workflow_id, version)
);

table group_members (
  group_id text not null,
  user_id text not null,
  added_at timestamp with time zone not null,
  constraint group_members_group_id_fkey FOREIGN KEY (group_id) REFERENCES groups(id) ON DELETE CASCADE,
  constraint group_members_pk PRIMARY KEY (group_id, user_id),
  constraint group_members_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
);

table groups (
  id text not null,
  name text not null,
  created_by text,
  created_at timestamp with time zone not null,
  constraint groups_created_by_fkey FOREIGN KEY (created_by) REFERENCES users(id),
  constraint groups_name_key UNIQUE (name),
  constraint groups_pkey PRIMARY KEY (id)
);

table schema_migrations (
  name character varying not null,
  timestamp character varying not null,
  constraint schema_migrations_pkey PRIMARY KEY (name)
);

table schema_migrations_lock (
  id character varying not null,
  is_locked integer not null default 0,
  constraint schema_migrations_lock_pkey PRIMARY KEY (id)
);

table step_result_audit (
  id text not null,
  task_run_id text not null,
  transition_id text not null,
  execution_id text not null,
  recorded_at timestamp with time zone not null,
  worker_id text,
  correlation_id text,
  success boolean not null,
  execution_time_ms integer,
  constraint step_result_audit_pkey PRIMARY KEY (id),
  constraint step_result_audit_task_run_transition_uq UNIQUE (task_run_id, transition_id)
);

table task_run_transitions (
  id text not null,
  task_run_id text not null,
  execution_id text not null,
  from_state text,
  to_state text not null,
  metadata jsonb not null,
  created_at timestamp with time zone not null,
  constraint task_run_transitions_execution_id_fkey FOREIGN KEY (execution_id) REFERENCES executions(id) ON DELETE CASCADE,
  constraint task_run_transitions_pkey PRIMARY KEY (id),
  constraint task_run_transitions_task_run_id_fkey FOREIGN KEY (task_run_id) REFERENCES task_runs(id) ON DELETE CASCADE
);

table task_runs (
  id text not null,
  execution_id text not null,
  task_id text not null,
  type text not null,
  attempt integer not null,
  status text not null,
  input jsonb,
  output jsonb,
  error jsonb,
  worker_id text,
  notes text,
  completed_by text,
  created_at timestamp with time zone not null,
  started_at timestamp with time zone,
  completed_at timestamp with time zone,
  duration_ms integer,
  updated_at timestamp with time zone not null,
  available_at timestamp with time zone,
  lease_owner text,
  lease_expires_at timestamp with time zone,
  heartbeat_at timestamp with time zone,
  fence integer not null default 0,
  sealed_output text,
  phase text not null default 'main'::text,
  item_index integer,
  item text,
  child_execution_id text,
  constraint task_runs_completed_by_fkey FOREIGN KEY (completed_by) REFERENCES users(id),
  constraint task_runs_execution_id_fkey FOREIGN KEY (execution_id) REFERENCES executions(id) ON DELETE CASCADE,
  constraint task_runs_pkey PRIMARY KEY (id)
);

table trigger_fires (
  id text not null,
  workflow_id text not null,
  trigger_id text not null,
  kind text not null,
  fire_key text not null,
  due_at timestamp with time zone,
  status text not null,
  reason text,
  execution_id text,
  fired_by text,
  created_at timestamp with time zone not null,
  constraint trigger_fires_key UNIQUE (workflow_id, trigger_id, fire_key),
  constraint trigger_fires_pkey PRIMARY KEY (id)
);

table trigger_schedules (
  workflow_id text not null,
  trigger_id text not null,
  cron text not null,
  timezone text not null,
  next_due_at timestamp with time zone not null,
  created_at timestamp with time zone not null,
  updated_at timestamp with time zone not null,
  constraint trigger_schedules_pkey PRIMARY KEY (workflow_id, trigger_id)
);

table users (
  id text not null,
  username text not null,
  password_hash text not null,
  role text not null,
  created_at timestamp with time zone not null,
  updated_at timestamp with time zone not null,
  disabled_at timestamp with time zone,
  can_edit_workflows integer not null default 0,
  failed_logins integer not null default 0,
  locked_until timestamp with time zone,
  credentials_changed_at timestamp with time zone,
  constraint users_pkey PRIMARY KEY (id),
  constraint users_role_check CHECK ((role = ANY (ARRAY['admin'::text, 'member'::text]))),
  constraint users_username_key UNIQUE (username)
);

table webhook_secrets (
  workflow_id text not null,
  trigger_id text not null,
  sealed_secret text not null,
  created_by text,
  created_at timestamp with time zone not null,
  constraint webhook_secrets_pkey PRIMARY KEY (workflow_id, trigger_id)
);

table workflow_versions (
  id text not null,
  workflow_id text not null,
  version integer not null,
  definition jsonb not null,
  source text not null,
  source_format text not null,
  checksum text not null,
  created_by text,
  created_at timestamp with time zone not null,
  constraint workflow_versions_created_by_fkey FOREIGN KEY (created_by) REFERENCES users(id),
  constraint workflow_versions_pkey PRIMARY KEY (id),
  constraint workflow_versions_workflow_id_fkey FOREIGN KEY (workflow_id) REFERENCES workflows(id),
  constraint workflow_versions_workflow_version_uq UNIQUE (workflow_id, version)
);

table workflows (
  id text not null,
  name text not null,
  latest_version integer not null,
  created_by text,
  created_at timestamp with time zone not null,
  updated_at timestamp with time zone not null,
  deleted_at timestamp with time zone,
  constraint workflows_created_by_fkey FOREIGN KEY (created_by) REFERENCES users(id),
  constraint workflows_pkey PRIMARY KEY (id)
);

CREATE UNIQUE INDEX api_tokens_pkey ON api_tokens USING btree (id);
CREATE UNIQUE INDEX api_tokens_token_hash_key ON api_tokens USING btree (token_hash);
CREATE INDEX api_tokens_user_idx ON api_tokens USING btree (user_id);
CREATE INDEX attachments_execution_idx ON attachments USING btree (execution_id, created_at);
CREATE UNIQUE INDEX attachments_pkey ON attachments USING btree (id);
CREATE UNIQUE INDEX attachments_storage_key_key ON attachments USING btree (storage_key);
CREATE INDEX attachments_uploaded_by_idx ON attachments USING btree (uploaded_by, purged_at);
CREATE UNIQUE INDEX audit_chain_heads_pk ON audit_chain_heads USING btree (subject_type, subject_id);
CREATE UNIQUE INDEX audit_checkpoints_pkey ON audit_checkpoints USING btree (id);
CREATE UNIQUE INDEX audit_checkpoints_seq_key ON audit_checkpoints USING btree (seq);
CREATE INDEX audit_events_execution_idx ON audit_events USING btree (execution_id, id);
CREATE UNIQUE INDEX audit_events_pkey ON audit_events USING btree (id);
CREATE UNIQUE INDEX audit_events_subject_seq_uq ON audit_events USING btree (subject_type, subject_id, seq);
CREATE UNIQUE INDEX audit_keys_key_id_key ON audit_keys USING btree (key_id);
CREATE UNIQUE INDEX audit_keys_pkey ON audit_keys USING btree (generation);
CREATE UNIQUE INDEX browser_sessions_pkey ON browser_sessions USING btree (id);
CREATE UNIQUE INDEX browser_sessions_token_hash_key ON browser_sessions USING btree (token_hash);
CREATE INDEX browser_sessions_user_idx ON browser_sessions USING btree (user_id);
CREATE INDEX execution_inputs_lookup_idx ON execution_inputs USING btree (key, value, execution_id);
CREATE UNIQUE INDEX execution_inputs_pk ON execution_inputs USING btree (execution_id, key);
CREATE UNIQUE INDEX execution_logs_pk ON ONLY execution_logs USING btree (execution_id, seq);
CREATE INDEX execution_logs_task_run_idx ON ONLY execution_logs USING btree (task_run_id, seq) WHERE (task_run_id IS NOT NULL);
CREATE UNIQUE INDEX execution_shares_pk ON execution_shares USING btree (execution_id, principal_type, principal_id);
CREATE INDEX execution_shares_principal_idx ON execution_shares USING btree (principal_type, principal_id, execution_id);
CREATE INDEX executions_deadline_idx ON executions USING btree (deadline_at) WHERE ((deadline_at IS NOT NULL) AND (completed_at IS NULL));
CREATE INDEX executions_parent_idx ON executions USING btree (parent_execution_id) WHERE (parent_execution_id IS NOT NULL);
CREATE UNIQUE INDEX executions_pkey ON executions USING btree (id);
CREATE INDEX executions_status_idx ON executions USING btree (status, id);
CREATE INDEX executions_triggered_by_idx ON executions USING btree (triggered_by, id);
CREATE INDEX executions_workflow_idx ON executions USING btree (workflow_id, id);
CREATE UNIQUE INDEX group_members_pk ON group_members USING btree (group_id, user_id);
CREATE INDEX group_members_user_idx ON group_members USING btree (user_id, group_id);
CREATE UNIQUE INDEX groups_name_key ON groups USING btree (name);
CREATE UNIQUE INDEX groups_pkey ON groups USING btree (id);
CREATE UNIQUE INDEX schema_migrations_pkey ON schema_migrations USING btree (name);
CREATE UNIQUE INDEX schema_migrations_lock_pkey ON schema_migrations_lock USING btree (id);
CREATE INDEX step_result_audit_execution_idx ON step_result_audit USING btree (execution_id, task_run_id);
CREATE UNIQUE INDEX step_result_audit_pkey ON step_result_audit USING btree (id);
CREATE UNIQUE INDEX step_result_audit_task_run_transition_uq ON step_result_audit USING btree (task_run_id, transition_id);
CREATE INDEX step_result_audit_worker_idx ON step_result_audit USING btree (worker_id) WHERE (worker_id IS NOT NULL);
CREATE INDEX task_run_transitions_execution_idx ON task_run_transitions USING btree (execution_id, id);
CREATE UNIQUE INDEX task_run_transitions_pkey ON task_run_transitions USING btree (id);
CREATE INDEX task_run_transitions_task_run_idx ON task_run_transitions USING btree (task_run_id, id);
CREATE UNIQUE INDEX task_runs_attempt_uq ON task_runs USING btree (execution_id, task_id, COALESCE(item_index, '-1'::integer), attempt);
CREATE INDEX task_runs_claimable_idx ON task_runs USING btree (available_at, id) WHERE ((status = 'pending'::text) AND (available_at IS NOT NULL));
CREATE INDEX task_runs_lease_idx ON task_runs USING btree (lease_expires_at) WHERE (status = 'running'::text);
CREATE UNIQUE INDEX task_runs_pkey ON task_runs USING btree (id);
CREATE INDEX task_runs_status_idx ON task_runs USING btree (status, execution_id);
CREATE UNIQUE INDEX trigger_fires_key ON trigger_fires USING btree (workflow_id, trigger_id, fire_key);
CREATE UNIQUE INDEX trigger_fires_pkey ON trigger_fires USING btree (id);
CREATE INDEX trigger_schedules_due_idx ON trigger_schedules USING btree (next_due_at);
CREATE UNIQUE INDEX trigger_schedules_pkey ON trigger_schedules USING btree (workflow_id, trigger_id);
CREATE UNIQUE INDEX users_pkey ON users USING btree (id);
CREATE UNIQUE INDEX users_username_key ON users USING btree (username);
CREATE UNIQUE INDEX webhook_secrets_pkey ON webhook_secrets USING btree (workflow_id, trigger_id);
CREATE UNIQUE INDEX workflow_versions_pkey ON workflow_versions USING btree (id);
CREATE UNIQUE INDEX workflow_versions_workflow_version_uq ON workflow_versions USING btree (workflow_id, version);
CREATE UNIQUE INDEX workflows_pkey ON workflows USING btree (id);

CREATE TRIGGER audit_checkpoints_append_only BEFORE DELETE OR UPDATE ON audit_checkpoints FOR EACH ROW EXECUTE FUNCTION runledger_reject_audit_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION runledger_reject_audit_change();
CREATE TRIGGER audit_events_append_only BEFORE DELETE OR UPDATE ON audit_events FOR EACH ROW EXECUTE FUNCTION runledger_reject_audit_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION runledger_reject_audit_change();
CREATE TRIGGER audit_keys_append_only BEFORE DELETE OR UPDATE ON audit_keys FOR EACH ROW EXECUTE FUNCTION runledger_reject_audit_change();
CREATE TRIGGER step_result_audit_append_only BEFORE DELETE OR UPDATE ON step_result_audit FOR EACH ROW EXECUTE FUNCTION runledger_reject_audit_change();
CREATE TRIGGER step_result_audit_no_truncate BEFORE TRUNCATE ON step_result_audit FOR EACH STATEMENT EXECUTE FUNCTION runledger_reject_audit_change();
CREATE TRIGGER task_run_transitions_step_result_audit AFTER INSERT ON task_run_transitions FOR EACH ROW EXECUTE FUNCTION runledger_step_result_audit();

CREATE OR REPLACE FUNCTION runledger_reject_audit_change()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
      begin
        if tg_op = 'DELETE' and exists (select 1 from audit_purge_window) then
          return old;
        end if;
        raise exception 'audit rows are append-only: % on % refused', tg_op, tg_table_name using errcode = '42501';
      end $function$

CREATE OR REPLACE FUNCTION runledger_step_result_audit()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
      begin
        if new.to_state in ('succeeded', 'failed', 'cancelled', 'timed_out') then
          insert into step_result_audit (id, task_run_id, transition_id, execution_id, recorded_at, worker_id, correlation_id, success, execution_time_ms)
          values (new.id, new.task_run_id, new.id, new.execution_id, new.created_at,
                  new.metadata->>'workerId', new.metadata->>'correlationId',
                  coalesce((new.metadata->>'success')::boolean, new.to_state = 'succeeded'),
                  (new.metadata->>'executionTimeMs')::integer)
          on conflict do nothing;
        end if;
        return new;
      end $function$
