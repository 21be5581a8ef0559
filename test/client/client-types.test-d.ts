import { expectTypeOf, test } from 'vitest';
import type {
  presentExecution,
  presentExecutionSummary,
  presentProcedureVersion,
  presentTaskRun,
  presentVersion,
  presentWorkflow,
} from '../../src/api/presenters.ts';
import type { presentAttachment } from '../../src/api/attachment-presenter.ts';
import type { listExecutionsPage } from '../../src/api/list-executions-page.ts';
import type { RunledgerClient } from '../../src/client/runledger-client.ts';
import type {
  ApiTokenView,
  AuditCheckpoint,
  AuditEvent,
  AuditVerification,
  ChainVerification,
  ExecutionAudit,
  ExportedCheckpoint,
  StepResultAuditEntry,
  ExecutionDetail,
  ExecutionShares,
  ExecutionListItem,
  ExecutionSummary,
  GroupView,
  LogLevel,
  LogLine,
  Page,
  TaskRunView,
  UserDetail,
  WorkflowDetail,
  WorkflowSummary,
  WorkflowVersionView,
} from '../../src/client/types.ts';
import type { AttachmentView, WorkflowVersionDetail } from '../../src/client/record-types.ts';
import type { User } from '../../src/domain/records.ts';
import type { LogLevel as EngineLogLevel } from '../../src/domain/log-line.ts';
import type { AuditVerification as StoredVerification } from '../../src/observe/audit-checkpoints.ts';
import type { ChainVerification as StoredChainVerification } from '../../src/observe/audit-verify.ts';
import type { AuditCheckpoint as StoredCheckpoint } from '../../src/store/audit-checkpoint-repository.ts';
import type { StoredAuditEvent } from '../../src/store/audit-event-repository.ts';
import type { StoredLogLine } from '../../src/store/execution-log-repository.ts';
import type { ExecutionShares as StoredShares } from '../../src/store/execution-share-repository.ts';
import type { Group } from '../../src/store/group-repository.ts';
import type { StepResultAuditEntry as StoredStepResult } from '../../src/store/step-result-audit-repository.ts';
import type { ApiToken } from '../../src/store/user-repository.ts';

/** The client's response types are the presenters' shapes: a change on either side fails `tsc`. */
test('client types mirror the API presenters', () => {
  expectTypeOf<ExecutionSummary>().toEqualTypeOf<ReturnType<typeof presentExecutionSummary>>();
  expectTypeOf<ExecutionDetail>().toEqualTypeOf<ReturnType<typeof presentExecution>>();
  expectTypeOf<TaskRunView>().toEqualTypeOf<ReturnType<typeof presentTaskRun>>();
  expectTypeOf<WorkflowVersionView>().toEqualTypeOf<ReturnType<typeof presentVersion>>();
  expectTypeOf<WorkflowSummary>().toMatchTypeOf<ReturnType<typeof presentWorkflow>>();
  expectTypeOf<ExecutionListItem>().toEqualTypeOf<Awaited<ReturnType<typeof listExecutionsPage>>['items'][number]>();
  // `default` is `unknown` on the client (any JSON value), `{} | null` as the presenter computes it
  expectTypeOf<ReturnType<typeof presentProcedureVersion>>().toMatchTypeOf<WorkflowVersionDetail>();
  expectTypeOf<WorkflowDetail>().toMatchTypeOf<ReturnType<typeof presentWorkflow>>();
});

/** The attachment routes answer with their presenter's shape and the consistency check's report. */
test('client attachment types mirror the attachment routes', () => {
  expectTypeOf<AttachmentView>().toEqualTypeOf<ReturnType<typeof presentAttachment>>();
});

/** The admin, token and sharing routes answer with store records as they are. */
test('client types mirror the records the admin, token and sharing routes send', () => {
  expectTypeOf<UserDetail>().toEqualTypeOf<User>();
  expectTypeOf<GroupView>().toEqualTypeOf<Group>();
  expectTypeOf<ApiTokenView>().toEqualTypeOf<ApiToken>();
  expectTypeOf<Omit<ExecutionShares, 'scope'>>().toEqualTypeOf<StoredShares>();
});

/** The audit routes answer with the store's and the verifier's shapes; the actor is typed more closely than stored. */
test('client audit types mirror the audit records', () => {
  expectTypeOf<Omit<AuditEvent, 'actor'>>().toEqualTypeOf<Omit<StoredAuditEvent, 'actor'>>();
  expectTypeOf<StepResultAuditEntry>().toEqualTypeOf<StoredStepResult>();
  expectTypeOf<AuditCheckpoint>().toEqualTypeOf<StoredCheckpoint>();
  expectTypeOf<AuditVerification>().toEqualTypeOf<StoredVerification>();
  expectTypeOf<ChainVerification>().toEqualTypeOf<StoredChainVerification>();
});

/** The log route answers with the store's lines as they are; levels are the engine's. */
test('client log types mirror the stored log lines', () => {
  expectTypeOf<LogLine>().toEqualTypeOf<StoredLogLine>();
  expectTypeOf<LogLevel>().toEqualTypeOf<EngineLogLevel>();
});

test('client methods answer with those types', () => {
  expectTypeOf<RunledgerClient['audit']['getExecution']>().returns.resolves.toEqualTypeOf<ExecutionAudit>();
  expectTypeOf<RunledgerClient['audit']['getStepResults']>().returns.resolves.toEqualTypeOf<StepResultAuditEntry[]>();
  expectTypeOf<RunledgerClient['audit']['latestCheckpoint']>().returns.resolves.toEqualTypeOf<ExportedCheckpoint>();
  expectTypeOf<RunledgerClient['audit']['export']>().returns.resolves.toEqualTypeOf<AsyncIterable<string>>();
  expectTypeOf<RunledgerClient['getExecution']>().returns.resolves.toEqualTypeOf<ExecutionDetail>();
  expectTypeOf<RunledgerClient['listExecutions']>().returns.resolves.toEqualTypeOf<Page<ExecutionListItem>>();
  expectTypeOf<RunledgerClient['getTaskRun']>().returns.resolves.toEqualTypeOf<TaskRunView>();
  expectTypeOf<RunledgerClient['listWorkflows']>().returns.resolves.toEqualTypeOf<WorkflowSummary[]>();
  expectTypeOf<RunledgerClient['applyWorkflow']>().parameters.toEqualTypeOf<[source: string, format: 'yaml' | 'json']>();
});
