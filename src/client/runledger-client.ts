import { isTerminalExecutionStatus } from '../domain/execution-status.ts';
import { AdminClient } from './admin-client.ts';
import { ApiError } from './api-error.ts';
import { AttachmentsClient, dispositionFileName } from './attachments-client.ts';
import { AuditClient } from './audit-client.ts';
import { enc, HttpTransport, type RequestOptions } from './http-transport.ts';
import { clientFetch } from './node-http-fetch.ts';
import { definitionId } from './definition-id.ts';
import { filterQuery, logQuery } from './query-params.ts';
import { RecordsClient } from './records-client.ts';
import { logEvents } from './response-streams.ts';
import type {
  AppliedWorkflow,
  ApiTokenView,
  BulkRunItem,
  CreatedApiToken,
  CreatedWorkflow,
  ExecutionCount,
  ExecutionCountFilter,
  ExecutionDetail,
  ExecutionFilters,
  ExecutionShares,
  ExecutionListItem,
  Health,
  ListResult,
  LogEvent,
  LogFilter,
  LogPage,
  LogSearch,
  LogSummary,
  LoginResult,
  Me,
  Page,
  RunOptions,
  RunStarted,
  ScheduleView,
  SharesChange,
  TaskRunView,
  WebhookSecret,
  WorkflowDetail,
  WorkflowSummary,
  WorkflowVersionView,
} from './types.ts';
import type { AttachmentDownload, WorkflowVersionDetail } from './record-types.ts';

export interface RunledgerClientOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:8080` (a trailing `/` or `/v1` is ignored). */
  server: string;
  /** Bearer token: a session JWT from `login()` or an API token. */
  token?: string | undefined;
  /** The transport; node:http for plain requests and the global fetch for the rest, unless given. */
  fetch?: typeof fetch;
}

export type DefinitionFormat = 'yaml' | 'json';

const MEDIA_TYPES: Record<DefinitionFormat, string> = { yaml: 'application/yaml', json: 'application/json' };

/**
 * The typed HTTP client of the Runledger REST API: the only code that talks HTTP to the server
 * (the CLI and the web UI use it). Every non-2xx answer and every network failure throws `ApiError`.
 */
export class RunledgerClient {
  readonly server: string;
  /** Human-run records: procedures, their documents, notes, extra steps, completion, deletion. */
  readonly records: RecordsClient;
  /** Evidence files of manual steps. */
  readonly attachments: AttachmentsClient;
  /** Users, groups and retention (admins only). */
  readonly admin: AdminClient;
  /** Audit chains, checkpoints and step-result audit. */
  readonly audit: AuditClient;
  private readonly http: HttpTransport;

  constructor(options: RunledgerClientOptions) {
    this.http = new HttpTransport(options.server, options.token, options.fetch ?? clientFetch);
    this.server = this.http.server;
    this.records = new RecordsClient(this.http);
    this.attachments = new AttachmentsClient(this.http);
    this.admin = new AdminClient(this.http);
    this.audit = new AuditClient(this.http);
  }

  /** Uses `token` for the following requests (e.g. after `login`). */
  setToken(token: string | undefined): void {
    this.http.token = token;
  }

  // --- auth ---

  /** Signs in and keeps the session token for this client's later requests. */
  async login(username: string, password: string): Promise<LoginResult> {
    const result = await this.request<LoginResult>('POST', '/v1/auth/login', { body: { username, password } });
    this.http.token = result.token;
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

  // --- workflows ---

  /**
   * Creates the workflow or a new version of it (PUT, idempotent). The id is read from the source,
   * which the `yaml` package parses whether it is YAML or JSON.
   */
  async applyWorkflow(source: string, format: DefinitionFormat): Promise<AppliedWorkflow> {
    const id = await definitionId(source);
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

  /** One version of a workflow with its procedure document and the inputs that drive its variables form. */
  getWorkflowVersion(id: string, version: number): Promise<WorkflowVersionDetail> {
    return this.request('GET', `/v1/workflows/${enc(id)}/versions/${version}`);
  }

  async deleteWorkflow(id: string): Promise<void> {
    await this.request('DELETE', `/v1/workflows/${enc(id)}`);
  }

  /** Schedule triggers, soonest first (all, or one workflow's): next run times and last fire. */
  async listSchedules(workflowId?: string): Promise<ScheduleView[]> {
    const query = workflowId === undefined ? '' : `?workflow=${enc(workflowId)}`;
    return (await this.request<ListResult<ScheduleView>>('GET', `/v1/schedules${query}`)).items;
  }

  /** Replaces a webhook trigger's signing secret; the new one is in the answer, and only there. */
  rotateWebhookSecret(workflowId: string, triggerId: string): Promise<WebhookSecret> {
    return this.request('POST', `/v1/workflows/${enc(workflowId)}/webhooks/${enc(triggerId)}/secret`);
  }

  /** Starts an execution (202); `trigger: 'cli'` records it as started from the command line. */
  runWorkflow(id: string, run: RunOptions = {}, options: { trigger?: 'cli' } = {}): Promise<RunStarted> {
    return this.request('POST', `/v1/workflows/${enc(id)}/run`, {
      body: { inputs: run.inputs ?? {}, title: run.title, correlationId: run.correlationId, version: run.version },
      headers: options.trigger ? { 'x-runledger-trigger': options.trigger } : {},
    });
  }

  /**
   * Starts one execution per input set (at most 1000) in one request; answers in the order of `runs`.
   * A bad input set refuses them all with INVALID_INPUTS naming its index.
   */
  async runWorkflowMany(
    id: string,
    runs: readonly BulkRunItem[],
    options: { version?: number; trigger?: 'cli' } = {},
  ): Promise<RunStarted[]> {
    const answer = await this.request<ListResult<RunStarted>>('POST', `/v1/workflows/${enc(id)}/runs`, {
      body: { runs, version: options.version },
      headers: options.trigger ? { 'x-runledger-trigger': options.trigger } : {},
    });
    return answer.items;
  }

  // --- executions ---

  listExecutions(filters: ExecutionFilters = {}): Promise<Page<ExecutionListItem>> {
    return this.request('GET', '/v1/executions', { query: filterQuery(filters) });
  }

  listWorkflowExecutions(id: string, filters: Omit<ExecutionFilters, 'workflow'> = {}): Promise<Page<ExecutionListItem>> {
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
    return this.request('POST', `/v1/executions/${enc(id)}/tasks/${enc(taskRunId)}/complete`, {
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

  /** Where the log begins and ends, how many lines are stored and written, and which lines retention deleted. */
  getLogSummary(id: string): Promise<LogSummary> {
    return this.request('GET', `/v1/executions/${enc(id)}/logs/summary`);
  }

  /**
   * Searches the whole log (case-insensitive substring of the message): the seqs of matching lines
   * after `afterSeq` (or just before `beforeSeq`), at most `limit`, and how many lines match.
   */
  searchLogs(id: string, text: string, filter: LogFilter = {}): Promise<LogSearch> {
    return this.request('GET', `/v1/executions/${enc(id)}/logs/search`, { query: { ...logQuery(filter), q: text } });
  }

  /** The whole log, or the lines matching the filters (and `text`), as text or NDJSON, streamed as it is read. */
  async downloadLogs(
    id: string,
    options: Omit<LogFilter, 'afterSeq' | 'beforeSeq' | 'limit'> & { format?: 'text' | 'ndjson'; text?: string } = {},
  ): Promise<ReadableStream<Uint8Array>> {
    const response = await this.fetchOk('GET', `/v1/executions/${enc(id)}/logs/download`, {
      query: { ...logQuery(options), q: options.text, format: options.format ?? 'text' },
      headers: { accept: 'text/plain, application/x-ndjson, application/problem+json' },
    });
    if (!response.body) throw new ApiError({ status: response.status, code: 'RESPONSE_INCOMPLETE', detail: 'The download had no body' });
    return response.body;
  }

  /**
   * One execution as one archive (a gzipped tar: the record, logs, audit chain with the signed
   * checkpoint covering it, evidence files), streamed as it is read.
   */
  async exportExecution(id: string): Promise<AttachmentDownload> {
    const response = await this.fetchOk('GET', `/v1/executions/${enc(id)}/export`, {
      headers: { accept: 'application/gzip, application/problem+json' },
    });
    if (!response.body) throw new ApiError({ status: response.status, code: 'RESPONSE_INCOMPLETE', detail: 'The export had no body' });
    return {
      fileName: dispositionFileName(response.headers.get('content-disposition')),
      mediaType: response.headers.get('content-type'),
      sizeBytes: null,
      body: response.body,
    };
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

  private request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return this.http.request<T>(method, path, options);
  }

  private send<T>(method: string, path: string, options: RequestOptions): Promise<{ status: number; body: T }> {
    return this.http.send<T>(method, path, options);
  }

  private fetchOk(method: string, path: string, options: RequestOptions): Promise<Response> {
    return this.http.fetchOk(method, path, options);
  }
}

export { definitionId };
