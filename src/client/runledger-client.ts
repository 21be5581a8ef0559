import { parse as parseYaml } from 'yaml';
import { isTerminalExecutionStatus } from '../domain/execution-status.ts';
import { ApiError, apiErrorFromResponse, unreachableError } from './api-error.ts';
import type {
  AppliedWorkflow,
  ApiTokenView,
  AuditCheckpoint,
  AuditEvent,
  AuditFilter,
  AuditVerification,
  AuditVerifyOptions,
  CleanupReport,
  CleanupRequest,
  CreatedApiToken,
  CreatedWorkflow,
  ExecutionAudit,
  ExecutionCount,
  ExecutionCountFilter,
  ExecutionDetail,
  ExecutionFilters,
  ExecutionShares,
  ExecutionStatus,
  ExecutionSummary,
  ExportedCheckpoint,
  GroupView,
  Health,
  ListResult,
  LogEvent,
  LogFilter,
  LogLine,
  LogPage,
  LoginResult,
  Me,
  NewUser,
  Page,
  RetentionStats,
  RunOptions,
  RunStarted,
  SharesChange,
  StepResultAuditEntry,
  TaskRunView,
  UserChanges,
  UserDetail,
  WorkflowDetail,
  WorkflowSummary,
  WorkflowVersionView,
} from './types.ts';

export interface RunledgerClientOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:8080` (a trailing `/` or `/v1` is ignored). */
  server: string;
  /** Bearer token: a session JWT from `login()` or an API token. */
  token?: string | undefined;
  /** The transport; the global fetch unless given. */
  fetch?: typeof fetch;
}

export type DefinitionFormat = 'yaml' | 'json';

const MEDIA_TYPES: Record<DefinitionFormat, string> = { yaml: 'application/yaml', json: 'application/json' };

interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  /** An object is sent as JSON; a string with `contentType`. */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

/**
 * The typed HTTP client of the Runledger REST API: the only code that talks HTTP to the server
 * (the CLI and the web UI use it). Every non-2xx answer and every network failure throws `ApiError`.
 */
export class RunledgerClient {
  readonly server: string;
  private token: string | undefined;
  private readonly fetchFn: typeof fetch;

  constructor(options: RunledgerClientOptions) {
    this.server = normaliseServer(options.server);
    this.token = options.token;
    this.fetchFn = options.fetch ?? globalThis.fetch;
  }

  /** Uses `token` for the following requests (e.g. after `login`). */
  setToken(token: string | undefined): void {
    this.token = token;
  }

  // --- auth ---

  /** Signs in and keeps the session token for this client's later requests. */
  async login(username: string, password: string): Promise<LoginResult> {
    const result = await this.request<LoginResult>('POST', '/v1/auth/login', { body: { username, password } });
    this.token = result.token;
    return result;
  }

  me(): Promise<Me> {
    return this.request('GET', '/v1/me');
  }

  createToken(name: string, options: { expiresAt?: string } = {}): Promise<CreatedApiToken> {
    return this.request('POST', '/v1/tokens', { body: { name, ...(options.expiresAt !== undefined && { expiresAt: options.expiresAt }) } });
  }

  async listTokens(): Promise<ApiTokenView[]> {
    return (await this.request<ListResult<ApiTokenView>>('GET', '/v1/tokens')).items;
  }

  async revokeToken(id: string): Promise<void> {
    await this.request('DELETE', `/v1/tokens/${enc(id)}`);
  }

  // --- users and groups (admins only: 403 FORBIDDEN for members) ---

  async listUsers(): Promise<UserDetail[]> {
    return (await this.request<ListResult<UserDetail>>('GET', '/v1/admin/users')).items;
  }

  /** Fails with `CONFLICT` when the username is taken. */
  createUser(user: NewUser): Promise<UserDetail> {
    return this.request('POST', '/v1/admin/users', { body: user });
  }

  /** Changes role, password, grant or disabled state; fails with `USER_NOT_FOUND`. */
  updateUser(id: string, changes: UserChanges): Promise<UserDetail> {
    return this.request('PATCH', `/v1/admin/users/${enc(id)}`, { body: changes });
  }

  async listGroups(): Promise<GroupView[]> {
    return (await this.request<ListResult<GroupView>>('GET', '/v1/admin/groups')).items;
  }

  createGroup(name: string): Promise<GroupView> {
    return this.request('POST', '/v1/admin/groups', { body: { name } });
  }

  /** Deletes the group; the executions shared with it are no longer shared with its members. */
  async deleteGroup(id: string): Promise<void> {
    await this.request('DELETE', `/v1/admin/groups/${enc(id)}`);
  }

  /** Adds a member (nothing changes when they are one already); answers with the group. */
  addGroupMember(groupId: string, userId: string): Promise<GroupView> {
    return this.request('PUT', `/v1/admin/groups/${enc(groupId)}/members/${enc(userId)}`);
  }

  /** Removes a member, effective on their next request; answers with the group. */
  removeGroupMember(groupId: string, userId: string): Promise<GroupView> {
    return this.request('DELETE', `/v1/admin/groups/${enc(groupId)}/members/${enc(userId)}`);
  }

  // --- workflows ---

  /**
   * Creates the workflow or a new version of it (PUT, idempotent). The id is read from the source,
   * which the `yaml` package parses whether it is YAML or JSON.
   */
  async applyWorkflow(source: string, format: DefinitionFormat): Promise<AppliedWorkflow> {
    const id = definitionId(source);
    const { status, body } = await this.send<Omit<AppliedWorkflow, 'created'>>('PUT', `/v1/workflows/${enc(id)}`, {
      body: source,
      contentType: MEDIA_TYPES[format],
    });
    return { ...body, created: status === 201 };
  }

  /** Creates a workflow; fails with `WORKFLOW_EXISTS` when it exists. */
  createWorkflow(source: string, format: DefinitionFormat): Promise<CreatedWorkflow> {
    return this.request('POST', '/v1/workflows', { body: source, contentType: MEDIA_TYPES[format] });
  }

  async listWorkflows(): Promise<WorkflowSummary[]> {
    return (await this.request<ListResult<WorkflowSummary>>('GET', '/v1/workflows')).items;
  }

  getWorkflow(id: string): Promise<WorkflowDetail> {
    return this.request('GET', `/v1/workflows/${enc(id)}`);
  }

  async listWorkflowVersions(id: string): Promise<WorkflowVersionView[]> {
    return (await this.request<ListResult<WorkflowVersionView>>('GET', `/v1/workflows/${enc(id)}/versions`)).items;
  }

  async deleteWorkflow(id: string): Promise<void> {
    await this.request('DELETE', `/v1/workflows/${enc(id)}`);
  }

  /** Starts an execution (202); `trigger: 'cli'` records it as started from the command line. */
  runWorkflow(id: string, run: RunOptions = {}, options: { trigger?: 'cli' } = {}): Promise<RunStarted> {
    return this.request('POST', `/v1/workflows/${enc(id)}/run`, {
      body: { inputs: run.inputs ?? {}, title: run.title, correlationId: run.correlationId, version: run.version },
      headers: options.trigger ? { 'x-runledger-trigger': options.trigger } : {},
    });
  }

  // --- executions ---

  listExecutions(filters: ExecutionFilters = {}): Promise<Page<ExecutionSummary>> {
    return this.request('GET', '/v1/executions', { query: filterQuery(filters) });
  }

  listWorkflowExecutions(id: string, filters: Omit<ExecutionFilters, 'workflow'> = {}): Promise<Page<ExecutionSummary>> {
    return this.request('GET', `/v1/workflows/${enc(id)}/executions`, { query: filterQuery(filters) });
  }

  /** How many executions match the filters (as the caller may see them); one workflow's with `workflowId`. */
  async countExecutions(filter: ExecutionCountFilter = {}, workflowId?: string): Promise<number> {
    const path = workflowId === undefined ? '/v1/executions/count' : `/v1/workflows/${enc(workflowId)}/executions/count`;
    return (await this.request<ExecutionCount>('GET', path, { query: filterQuery(filter) })).count;
  }

  getExecution(id: string): Promise<ExecutionDetail> {
    return this.request('GET', `/v1/executions/${enc(id)}`);
  }

  getTaskRun(id: string, taskRunId: string): Promise<TaskRunView> {
    return this.request('GET', `/v1/executions/${enc(id)}/tasks/${enc(taskRunId)}`);
  }

  /** Cancels; answers with the execution as it ended. */
  cancelExecution(id: string, reason?: string): Promise<ExecutionDetail> {
    return this.request('POST', `/v1/executions/${enc(id)}/cancel`, { body: reason === undefined ? {} : { reason } });
  }

  /** A person completes a waiting manual step. */
  completeStep(
    id: string,
    taskRunId: string,
    result: { status: 'succeeded' | 'failed'; notes?: string | undefined },
  ): Promise<TaskRunView> {
    return this.request('POST', `/v1/executions/${enc(id)}/steps/${enc(taskRunId)}/complete`, {
      body: { status: result.status, ...(result.notes !== undefined && { notes: result.notes }) },
    });
  }

  getShares(id: string): Promise<ExecutionShares> {
    return this.request('GET', `/v1/executions/${enc(id)}/shares`);
  }

  /** Replaces who the execution is shared with (owner or admin); users and groups by id or name. */
  setShares(id: string, change: SharesChange): Promise<ExecutionShares> {
    return this.request('PUT', `/v1/executions/${enc(id)}/shares`, {
      body: { scope: change.scope, users: change.users ?? [], groups: change.groups ?? [] },
    });
  }

  // --- logs ---

  /** One page of the execution's log lines in seq order; pass `nextSeq` back as `afterSeq` while `hasMore`. */
  getLogs(id: string, filter: LogFilter = {}): Promise<LogPage> {
    return this.request('GET', `/v1/executions/${enc(id)}/logs`, { query: logQuery(filter) });
  }

  /**
   * The execution's log lines as they are written (Server-Sent Events), from `afterSeq` on: a `line`
   * event per line, then one `end` event with the execution's final status, after which the iteration
   * stops. Errors of the answer (`EXECUTION_NOT_FOUND`, `VALIDATION_FAILED`) are thrown here, before
   * anything is yielded; a stream cut off before its end throws `RESPONSE_INCOMPLETE` from the iteration.
   * Leaving the loop early closes the connection.
   */
  async followLogs(id: string, filter: LogFilter = {}): Promise<AsyncIterable<LogEvent>> {
    const response = await this.fetchOk('GET', `/v1/executions/${enc(id)}/logs`, {
      query: { ...logQuery(filter), follow: 'true' },
      headers: { accept: 'text/event-stream, application/problem+json' },
    });
    return logEvents(response);
  }

  // --- retention (admins) ---

  /** Row counts and sizes of the store, executions by status, the oldest records, the retention policy. */
  retentionStats(): Promise<RetentionStats> {
    return this.request('GET', '/v1/admin/retention/stats');
  }

  /**
   * Deletes the log lines (and purges the audit chains) of executions that ended before the
   * retention cutoffs; with `dryRun`, only reports what would go.
   */
  cleanup(request: CleanupRequest = {}): Promise<CleanupReport> {
    return this.request('POST', '/v1/admin/retention/cleanup', {
      body: {
        dryRun: request.dryRun ?? false,
        ...(request.olderThanDays !== undefined && { olderThanDays: request.olderThanDays }),
        ...(request.status !== undefined && { status: request.status }),
      },
    });
  }

  // --- audit ---

  /** The execution's audit events in chain order and whether its chain verifies (whoever may read the execution). */
  getExecutionAudit(id: string): Promise<ExecutionAudit> {
    return this.request('GET', `/v1/executions/${enc(id)}/audit`);
  }

  /** The step-result audit of one task run: one row per result it recorded. */
  async getStepAudit(id: string, taskRunId: string): Promise<StepResultAuditEntry[]> {
    return (await this.request<ListResult<StepResultAuditEntry>>('GET', `/v1/executions/${enc(id)}/tasks/${enc(taskRunId)}/audit`)).items;
  }

  /** Every step result of an execution (all task runs), in the order recorded: one request however many tasks. */
  async getExecutionStepAudit(id: string): Promise<StepResultAuditEntry[]> {
    return (await this.request<ListResult<StepResultAuditEntry>>('GET', `/v1/executions/${enc(id)}/step-audit`)).items;
  }

  /** Audit events, newest first (admins only, like every `/v1/audit` route). */
  async listAudit(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    const query = { subjectType: filter.subjectType, eventType: filter.eventType, limit: filter.limit };
    return (await this.request<ListResult<AuditEvent>>('GET', '/v1/audit', { query })).items;
  }

  /**
   * Verifies every chain (or one execution's) and the signed checkpoints; with `checkpoint`, also
   * against that checkpoint kept outside the server (POST), which detects a deleted tail or a rewritten chain.
   */
  verifyAudit(options: AuditVerifyOptions = {}): Promise<AuditVerification> {
    if (options.checkpoint === undefined) return this.request('GET', '/v1/audit/verify', { query: { execution: options.execution } });
    return this.request('POST', '/v1/audit/verify', {
      body: { checkpoint: options.checkpoint, ...(options.execution !== undefined && { execution: options.execution }) },
    });
  }

  /** Writes a signed checkpoint of every chain's head now (201). */
  createCheckpoint(): Promise<AuditCheckpoint> {
    return this.request('POST', '/v1/audit/checkpoints');
  }

  /** The latest signed checkpoint with the server's public audit key (PEM), to keep outside the server. */
  latestCheckpoint(): Promise<ExportedCheckpoint> {
    return this.request('GET', '/v1/audit/checkpoints/latest');
  }

  /**
   * The whole audit trail, oldest first, as it streams in: one line (one `AuditEvent` as JSON, no
   * newline) at a time, never the whole body in memory. Errors of the answer (`FORBIDDEN`) are thrown
   * here; a connection cut off later throws `RESPONSE_INCOMPLETE` from the iteration.
   */
  async exportAudit(): Promise<AsyncIterable<string>> {
    const response = await this.fetchOk('GET', '/v1/audit/export', {
      headers: { accept: 'application/x-ndjson, application/problem+json' },
    });
    return ndjsonLines(response);
  }

  /**
   * Polls the execution until its status is terminal (completed, failed, cancelled, timed_out) and
   * returns it. With `timeoutMs`, gives up with `WAIT_TIMEOUT` after that long.
   */
  async waitForExecution(id: string, options: { pollMs?: number; timeoutMs?: number } = {}): Promise<ExecutionDetail> {
    const pollMs = options.pollMs ?? 500;
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    for (;;) {
      const execution = await this.getExecution(id);
      if (isTerminalExecutionStatus(execution.status)) return execution;
      if (Date.now() + pollMs > deadline) {
        throw new ApiError({
          status: 0,
          code: 'WAIT_TIMEOUT',
          detail: `Execution ${id} is still ${execution.status} after ${options.timeoutMs} ms`,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  health(): Promise<Health> {
    return this.request('GET', '/healthz');
  }

  // --- transport ---

  private async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.send<T>(method, path, options)).body;
  }

  private async send<T>(method: string, path: string, options: RequestOptions): Promise<{ status: number; body: T }> {
    const response = await this.fetchOk(method, path, options);
    return { status: response.status, body: (await readBody(response)) as T };
  }

  /** Sends the request; a 2xx answer comes back unread, anything else throws its ApiError. */
  private async fetchOk(method: string, path: string, options: RequestOptions): Promise<Response> {
    const url = new URL(path, `${this.server}/`);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...options.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: string | undefined;
    if (typeof options.body === 'string') {
      body = options.body;
      headers['content-type'] = options.contentType ?? 'text/plain';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }

    let response: Response;
    try {
      response = await this.fetchFn(url, { method, headers, body });
    } catch (e: unknown) {
      throw unreachableError(this.server, e);
    }
    if (!response.ok) {
      const parsed = await readBody(response);
      throw apiErrorFromResponse(response.status, response.statusText, parsed, response.headers.get('retry-after'));
    }
    return response;
  }
}

/**
 * A streamed body decoded as UTF-8, chunk by chunk; a body cut off mid-way is `RESPONSE_INCOMPLETE`.
 * Leaving the loop early (a consumer's `break`) cancels the body.
 */
async function* textChunks(response: Response): AsyncGenerator<string> {
  if (!response.body) return;
  try {
    for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) yield chunk;
  } catch (e: unknown) {
    throw new ApiError({
      status: response.status,
      code: 'RESPONSE_INCOMPLETE',
      detail: `The answer was cut off (HTTP ${response.status})`,
      cause: e,
    });
  }
}

/** The non-empty lines of a streamed body. */
async function* ndjsonLines(response: Response): AsyncGenerator<string> {
  let pending = '';
  for await (const chunk of textChunks(response)) {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (line.trim() !== '') yield line;
  }
  if (pending.trim() !== '') yield pending;
}

/** One Server-Sent Event: its `event` name (default `message`), `data` lines joined by `\n`, and `id`. */
interface ServerSentEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/**
 * The events of a `text/event-stream` body as they arrive (the WHATWG parsing rules): lines end in
 * LF, CR or CRLF, anywhere in a chunk; a blank line ends an event; `:` lines are comments (heartbeats).
 * An event not ended by a blank line when the body ends is dropped.
 */
async function* serverSentEvents(response: Response): AsyncGenerator<ServerSentEvent> {
  let pending = '';
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  let started = false;
  for await (const chunk of textChunks(response)) {
    pending += chunk;
    // A CR at the very end may be the first half of a CRLF: keep it for the next chunk.
    const lines = pending.split(/\r\n|\r(?!$)|\n/);
    pending = lines.pop()!;
    for (let line of lines) {
      if (!started) {
        started = true;
        if (line.startsWith('\uFEFF')) line = line.slice(1);
      }
      if (line === '') {
        if (data.length > 0) yield { event: event || 'message', data: data.join('\n'), id };
        event = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id' && !value.includes('\0')) id = value;
    }
  }
}

/** `line` and `end` events of a log stream; other events are skipped. Stops at `end`. */
async function* logEvents(response: Response): AsyncGenerator<LogEvent> {
  for await (const sse of serverSentEvents(response)) {
    if (sse.event === 'line') {
      yield { type: 'line', line: parseEventData<LogLine>(sse, response) };
    } else if (sse.event === 'end') {
      const end = parseEventData<{ status: ExecutionStatus; lastSeq: number }>(sse, response);
      yield { type: 'end', status: end.status, lastSeq: end.lastSeq };
      return;
    }
  }
  throw new ApiError({
    status: response.status,
    code: 'RESPONSE_INCOMPLETE',
    detail: `The log stream ended before the execution did (HTTP ${response.status})`,
  });
}

function parseEventData<T>(sse: ServerSentEvent, response: Response): T {
  try {
    return JSON.parse(sse.data) as T;
  } catch (e: unknown) {
    throw new ApiError({
      status: response.status,
      code: 'INVALID_RESPONSE',
      detail: `The server sent a "${sse.event}" event that is not JSON: ${sse.data.slice(0, 80)}`,
      cause: e,
    });
  }
}

async function readBody(response: Response): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (e: unknown) {
    throw new ApiError({
      status: response.status,
      code: 'RESPONSE_INCOMPLETE',
      detail: `The answer was cut off (HTTP ${response.status})`,
      cause: e,
    });
  }
  if (text === '') return undefined;
  if (/json/i.test(response.headers.get('content-type') ?? '')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // a broken JSON body is reported like any other text
    }
  }
  return text;
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function filterQuery(filters: ExecutionFilters): Record<string, string | number | undefined> {
  const query: Record<string, string | number | undefined> = {
    status: filters.status && filters.status.length > 0 ? filters.status.join(',') : undefined,
    workflow: filters.workflow,
    triggeredBy: filters.triggeredBy,
    from: filters.from,
    to: filters.to,
    keyword: filters.keyword,
    cursor: filters.cursor,
    limit: filters.limit,
  };
  for (const [name, value] of Object.entries(filters.inputs ?? {})) query[`input.${name}`] = value;
  return query;
}

function logQuery(filter: LogFilter): Record<string, string | number | undefined> {
  return {
    level: filter.level && filter.level.length > 0 ? filter.level.join(',') : undefined,
    since: filter.since,
    task: filter.task,
    afterSeq: filter.afterSeq,
    limit: filter.limit,
  };
}

function normaliseServer(server: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new ApiError({
      status: 0,
      code: 'INVALID_SERVER_URL',
      detail: `"${server}" is not a server URL (expected e.g. http://127.0.0.1:8080)`,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ApiError({ status: 0, code: 'INVALID_SERVER_URL', detail: `"${server}" is not an http:// or https:// URL` });
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '')}`;
}

/** The workflow id a YAML or JSON definition declares (YAML is a superset of JSON). */
export function definitionId(source: string): string {
  let parsed: unknown;
  try {
    parsed = parseYaml(source);
  } catch (e: unknown) {
    const reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new ApiError({ status: 0, code: 'INVALID_DEFINITION', detail: `The definition is neither valid YAML nor JSON: ${reason}` });
  }
  const id = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>).id : undefined;
  if (typeof id !== 'string' || id === '') {
    throw new ApiError({
      status: 0,
      code: 'INVALID_DEFINITION',
      detail: 'The definition has no "id" (a string such as deploy_service)',
      problems: ['id: required'],
    });
  }
  return id;
}
