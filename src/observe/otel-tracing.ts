import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, RandomIdGenerator, type IdGenerator } from '@opentelemetry/sdk-trace-base';
import type { Kysely } from 'kysely';
import type { Database } from '../store/database-schema.ts';
import { getCallerTrace } from '../store/execution-trace-repository.ts';
import type { ExecutionEndedEvent, EngineListener } from './engine-events.ts';
import { tracesEndpoint, type AttemptSpan, type AttemptToTrace, type CallerTrace, type EngineTracing } from './engine-tracing.ts';
import { executionSpanIds, formatTraceparent, parseTraceparent, validTracestate, type TraceIds } from './trace-context.ts';

/** Executions whose caller trace this process remembers (each is read from the store once). */
const CALLERS_REMEMBERED = 10_000;

export interface OtelTracingOptions {
  /** Read for OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_SERVICE_NAME, OTEL_SDK_DISABLED. */
  env: NodeJS.ProcessEnv;
  db: Kysely<Database>;
  /** This process, as the resource's `service.instance.id` and each attempt's `runledger.worker.id`. */
  workerId: string;
}

/** Traces of this process, or undefined when they are off (then the engine holds no tracer at all). */
export function createOtelTracing(options: OtelTracingOptions): OtelTracing | undefined {
  const url = tracesEndpoint(options.env);
  return url === undefined ? undefined : new OtelTracing(url, options);
}

/**
 * A span per execution and per attempt, exported over OTLP/HTTP (JSON). No execution lives in one
 * process, so neither does its span: its ids are derived from the execution id and the caller's
 * trace context kept in the store (trace-context.ts), so the worker that runs an attempt (a child of
 * the execution's span) and the process that ends the execution (which exports the execution's span,
 * from its creation to its end) can be any processes.
 */
export class OtelTracing implements EngineTracing, EngineListener {
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;
  private readonly ids = new PresetIdGenerator();
  private readonly callers = new Map<string, TraceIds | null>();
  /** Execution spans on their way to the exporter (each waits for one read of the store). */
  private readonly exporting = new Set<Promise<void>>();
  private warned = false;

  constructor(
    url: string,
    private readonly options: OtelTracingOptions,
  ) {
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        'service.name': options.env.OTEL_SERVICE_NAME?.trim() || 'runledger',
        'service.instance.id': options.workerId,
      }),
      idGenerator: this.ids,
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
    });
    this.tracer = this.provider.getTracer('runledger');
  }

  callerTrace(traceparent: string | undefined, tracestate: string | undefined): CallerTrace | null {
    const parsed = parseTraceparent(traceparent);
    if (!parsed) return null;
    const state = validTracestate(tracestate);
    return { traceparent: formatTraceparent(parsed), ...(state ? { tracestate: state } : {}) };
  }

  async startAttempt(attempt: AttemptToTrace): Promise<AttemptSpan> {
    const execution = executionSpanIds(attempt.executionId, await this.callerOf(attempt.executionId));
    const span = this.tracer.startSpan(
      `task ${attempt.taskId}`,
      {
        kind: SpanKind.INTERNAL,
        attributes: {
          'runledger.execution.id': attempt.executionId,
          'runledger.correlation_id': attempt.correlationId,
          'runledger.task.id': attempt.taskId,
          'runledger.task.type': attempt.type,
          'runledger.task_run.id': attempt.taskRunId,
          'runledger.task_run.attempt': attempt.attempt,
          'runledger.worker.id': this.options.workerId,
        },
      },
      contextOf(execution),
    );
    const own = span.spanContext();
    return {
      traceparent: formatTraceparent({ traceId: own.traceId, spanId: own.spanId, flags: own.traceFlags }),
      end(status, error) {
        span.setAttribute('runledger.task_run.status', status);
        if (status !== 'succeeded')
          span.setStatus({ code: SpanStatusCode.ERROR, message: error ? `${error.code}: ${error.message}` : status });
        span.end();
      },
    };
  }

  executionEnded(event: ExecutionEndedEvent): void {
    const exported = this.exportExecution(event).finally(() => this.exporting.delete(exported));
    this.exporting.add(exported);
  }

  /** Sends what has ended so far (tests, and before a process stops). */
  async flush(): Promise<void> {
    await Promise.all(this.exporting);
    await this.provider.forceFlush();
  }

  /** Sends what has ended and stops exporting. */
  async close(): Promise<void> {
    await Promise.all(this.exporting);
    await this.provider.shutdown();
  }

  /** The execution's span, exported once by the process that committed its end, with its whole lifetime. */
  private async exportExecution(event: ExecutionEndedEvent): Promise<void> {
    const caller = await this.callerOf(event.executionId);
    const own = executionSpanIds(event.executionId, caller);
    const attributes: Attributes = {
      'runledger.execution.id': event.executionId,
      'runledger.correlation_id': event.correlationId ?? event.executionId,
      'runledger.workflow.id': event.workflowId,
      'runledger.workflow.version': event.workflowVersion,
      'runledger.execution.status': event.status,
    };
    this.ids.preset(own.traceId, own.spanId);
    let span;
    try {
      span = this.tracer.startSpan(
        `execution ${event.workflowId}`,
        { kind: SpanKind.INTERNAL, startTime: new Date(event.createdAt), attributes, root: caller === null },
        caller ? contextOf(caller) : ROOT_CONTEXT,
      );
    } finally {
      this.ids.clear();
    }
    if (event.status === 'failed' || event.status === 'timed_out') span.setStatus({ code: SpanStatusCode.ERROR, message: event.status });
    span.end(new Date(event.completedAt));
  }

  /** The trace the run request came with (read once per execution, then remembered); null when none. */
  private async callerOf(executionId: string): Promise<TraceIds | null> {
    const known = this.callers.get(executionId);
    if (known !== undefined) return known;
    let caller: TraceIds | null;
    try {
      caller = asTraceIds(await getCallerTrace(this.options.db, executionId));
    } catch (e: unknown) {
      // A trace must never stop a run: without the store's answer the execution's own trace is used.
      if (!this.warned) console.error(`runledger: traces: could not read the trace of execution ${executionId}: ${String(e)}`);
      this.warned = true;
      return null;
    }
    if (this.callers.size >= CALLERS_REMEMBERED) this.callers.delete(this.callers.keys().next().value!);
    this.callers.set(executionId, caller);
    return caller;
  }
}

function asTraceIds(stored: unknown): TraceIds | null {
  if (typeof stored !== 'object' || stored === null) return null;
  const { traceparent, tracestate } = stored as { traceparent?: unknown; tracestate?: unknown };
  const parsed = parseTraceparent(typeof traceparent === 'string' ? traceparent : undefined);
  return parsed && { ...parsed, tracestate: typeof tracestate === 'string' ? tracestate : undefined };
}

/** A context whose active span is `ids`, as a span of another process (the parent of what starts in it). */
function contextOf(ids: TraceIds): Context {
  const spanContext: SpanContext = {
    traceId: ids.traceId,
    spanId: ids.spanId,
    traceFlags: ids.flags,
    isRemote: true,
    ...(ids.tracestate ? { traceState: new TraceState(ids.tracestate) } : {}),
  };
  return trace.setSpanContext(ROOT_CONTEXT, spanContext);
}

/**
 * Random ids, except for the one span whose ids are set beforehand: an execution's span has ids
 * that every process derives alike (the SDK has no other way to give a span its id).
 */
class PresetIdGenerator implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  private next: { traceId: string; spanId: string } | undefined;

  preset(traceId: string, spanId: string): void {
    this.next = { traceId, spanId };
  }

  clear(): void {
    this.next = undefined;
  }

  generateTraceId(): string {
    return this.next?.traceId ?? this.random.generateTraceId();
  }

  generateSpanId(): string {
    return this.next?.spanId ?? this.random.generateSpanId();
  }
}
