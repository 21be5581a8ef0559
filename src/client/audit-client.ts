import { enc, type HttpTransport } from './http-transport.ts';
import { ndjsonLines } from './response-streams.ts';
import type {
  AuditCheckpoint,
  AuditEvent,
  AuditFilter,
  AuditVerification,
  AuditVerifyOptions,
  ExecutionAudit,
  ExportedCheckpoint,
  ListResult,
  StepResultAuditEntry,
} from './types.ts';

/**
 * Audit chains and step-result audit (`client.audit`). An execution's audit is readable by whoever
 * may read the execution; the rest (the `/v1/audit` routes) is for admins only.
 */
export class AuditClient {
  constructor(private readonly http: HttpTransport) {}

  /** The execution's audit events in chain order and whether its chain verifies. */
  getExecution(executionId: string): Promise<ExecutionAudit> {
    return this.http.request('GET', `/v1/executions/${enc(executionId)}/audit`);
  }

  /** The step-result audit of one task run: one row per result it recorded. */
  async getStepResults(executionId: string, taskRunId: string): Promise<StepResultAuditEntry[]> {
    const path = `/v1/executions/${enc(executionId)}/tasks/${enc(taskRunId)}/audit`;
    return (await this.http.request<ListResult<StepResultAuditEntry>>('GET', path)).items;
  }

  /** Every step result of an execution (all task runs), in the order recorded: one request however many tasks. */
  async getExecutionStepResults(executionId: string): Promise<StepResultAuditEntry[]> {
    return (await this.http.request<ListResult<StepResultAuditEntry>>('GET', `/v1/executions/${enc(executionId)}/step-audit`)).items;
  }

  /** Audit events, newest first. */
  async list(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    const query = { subjectType: filter.subjectType, eventType: filter.eventType, limit: filter.limit };
    return (await this.http.request<ListResult<AuditEvent>>('GET', '/v1/audit', { query })).items;
  }

  /**
   * Verifies every chain (or one execution's) and the signed checkpoints; with `checkpoint`, also
   * against that checkpoint kept outside the server (POST), which detects a deleted tail or a rewritten chain.
   */
  verify(options: AuditVerifyOptions = {}): Promise<AuditVerification> {
    if (options.checkpoint === undefined) return this.http.request('GET', '/v1/audit/verify', { query: { execution: options.execution } });
    return this.http.request('POST', '/v1/audit/verify', {
      body: { checkpoint: options.checkpoint, ...(options.execution !== undefined && { execution: options.execution }) },
    });
  }

  /** Writes a signed checkpoint of every chain's head now (201). */
  createCheckpoint(): Promise<AuditCheckpoint> {
    return this.http.request('POST', '/v1/audit/checkpoints');
  }

  /** The latest signed checkpoint with the server's public audit key (PEM), to keep outside the server. */
  latestCheckpoint(): Promise<ExportedCheckpoint> {
    return this.http.request('GET', '/v1/audit/checkpoints/latest');
  }

  /**
   * The whole audit trail, oldest first, as it streams in: one line (one `AuditEvent` as JSON, no
   * newline) at a time, never the whole body in memory. Errors of the answer (`FORBIDDEN`) are thrown
   * here; a connection cut off later throws `RESPONSE_INCOMPLETE` from the iteration.
   */
  async export(): Promise<AsyncIterable<string>> {
    const response = await this.http.fetchOk('GET', '/v1/audit/export', {
      headers: { accept: 'application/x-ndjson, application/problem+json' },
    });
    return ndjsonLines(response);
  }
}
