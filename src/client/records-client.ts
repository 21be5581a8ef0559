import { enc, type HttpTransport } from './http-transport.ts';
import type { DeletedExecution, ExecutionChanges, ExecutionDocument, ProcedureStarted } from './record-types.ts';
import type { ExecutionDetail, RunOptions, TaskRunView } from './types.ts';

/**
 * Human-run records (`client.records`): starting a procedure, reading its document, notes, extra
 * steps, ending, deleting and restoring a record. Operators are the owner or an admin; readers
 * who may only read get `FORBIDDEN` from the changes.
 */
export class RecordsClient {
  constructor(private readonly http: HttpTransport) {}

  /**
   * Starts a human-run record of a workflow (202): trigger `manual`, status `running` at once, its
   * manual steps waiting for a person. Without `title`, the server makes one from the procedure's
   * name, the date and the required inputs.
   */
  startProcedure(workflowId: string, run: RunOptions = {}): Promise<ProcedureStarted> {
    return this.http.request('POST', `/v1/workflows/${enc(workflowId)}/run`, {
      body: {
        inputs: run.inputs ?? {},
        procedure: true,
        ...(run.title !== undefined && { title: run.title }),
        ...(run.version !== undefined && { version: run.version }),
        ...(run.correlationId !== undefined && { correlationId: run.correlationId }),
      },
    });
  }

  /** The procedure document of the execution, with its input values substituted (secrets masked). */
  getDocument(executionId: string): Promise<ExecutionDocument> {
    return this.http.request('GET', `/v1/executions/${enc(executionId)}/document`);
  }

  /**
   * Changes title and notes (a draft: the status stays), or ends the record with `status`.
   * Fails with `STEPS_OPEN` (completing while a step is open) or `RECORD_ENDED`.
   */
  update(executionId: string, changes: ExecutionChanges): Promise<ExecutionDetail> {
    const body: ExecutionChanges = {};
    if (changes.title !== undefined) body.title = changes.title;
    if (changes.notes !== undefined) body.notes = changes.notes;
    if (changes.status !== undefined) body.status = changes.status;
    return this.http.request('PATCH', `/v1/executions/${enc(executionId)}`, { body });
  }

  /** Adds a manual step (`extra_1`, `extra_2`…) that waits for a person (201). */
  addStep(executionId: string, description: string): Promise<TaskRunView> {
    return this.http.request('POST', `/v1/executions/${enc(executionId)}/steps`, { body: { description } });
  }

  /** Replaces a step's notes; `RECORD_ENDED` once the record has ended. */
  updateStepNotes(executionId: string, taskRunId: string, notes: string): Promise<TaskRunView> {
    return this.http.request('PATCH', `/v1/executions/${enc(executionId)}/tasks/${enc(taskRunId)}`, { body: { notes } });
  }

  /** Soft delete: hidden from everything but admin views; `EXECUTION_NOT_ENDED` while it runs. */
  delete(executionId: string): Promise<DeletedExecution> {
    return this.http.request('DELETE', `/v1/executions/${enc(executionId)}`);
  }

  /** Admins: brings a deleted execution back within the grace period (`RESTORE_EXPIRED` after it). */
  restore(executionId: string): Promise<ExecutionDetail> {
    return this.http.request('POST', `/v1/executions/${enc(executionId)}/restore`);
  }
}
