import type { TaskFailure } from '../domain/task-failure.ts';
import type { TaskRunStatus } from '../domain/task-run-status.ts';

/**
 * The trace context a run request came with (W3C Trace Context), kept with the execution (in its
 * `CREATED` audit event) so that whichever process runs or ends it continues the caller's trace.
 */
export interface CallerTrace {
  traceparent: string;
  tracestate?: string;
}

/** What the tracer needs to know of an attempt when it starts. */
export interface AttemptToTrace {
  executionId: string;
  taskRunId: string;
  taskId: string;
  type: string;
  attempt: number;
  correlationId: string;
}

/** The span of one attempt, open while it runs and is reported. */
export interface AttemptSpan {
  /** The span as a W3C `traceparent`: what the task passes on (`http` header, `shell` TRACEPARENT). */
  readonly traceparent: string;
  end(status: TaskRunStatus, error: TaskFailure | null): void;
}

/** Spans of executions and attempts (observe/otel-tracing.ts); the engine holds none when traces are off. */
export interface EngineTracing {
  /** The part of a run request's trace headers worth keeping, or null when they are absent or not valid. */
  callerTrace(traceparent: string | undefined, tracestate: string | undefined): CallerTrace | null;
  /** Opens the span of an attempt, a child of its execution's span (in any process). */
  startAttempt(attempt: AttemptToTrace): Promise<AttemptSpan>;
}

/**
 * The OTLP/HTTP endpoint traces go to, or undefined when traces are off: they are on only when
 * OTEL_EXPORTER_OTLP_ENDPOINT (or its traces-only form) is set and OTEL_SDK_DISABLED is not `true`.
 */
export function tracesEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const tracesOnly = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (tracesOnly) return tracesOnly;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}
