import crypto from 'node:crypto';
import type { RunledgerError } from '../domain/errors.ts';
import {
  InvalidJsonError,
  NestingTooDeepError,
  WebhookReplayedError,
  WebhookSignatureError,
  WebhookTimestampError,
} from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { jsonNestsDeeperThan, MAX_NESTING_DEPTH } from '../domain/nesting-depth.ts';
import { nowIso } from '../domain/time.ts';
import type { WebhookTrigger } from '../domain/workflow-definition.ts';
import { recordAuditEvent, SYSTEM_ACTOR } from '../observe/audit-logger.ts';
import { insertFires } from '../store/trigger-fire-repository.ts';
import { getSealedWebhookSecret } from '../store/webhook-secret-repository.ts';
import { getWorkflow } from '../store/workflow-repository.ts';
import type { EngineDeps } from './engine-deps.ts';
import type { ExecutionCommands, StartedExecution } from './execution-commands.ts';
import { notFound } from './webhook-secrets.ts';

/** How far a request's signing time may be from the server's clock, either way. */
export const WEBHOOK_REPLAY_WINDOW_MS = 5 * 60_000;

/** The most a webhook body may weigh. */
export const WEBHOOK_MAX_BODY_BYTES = 1024 * 1024;

/** One request to `POST /v1/workflows/<id>/webhooks/<trigger id>`, as it arrived. */
export interface WebhookRequest {
  workflowId: string;
  triggerId: string;
  /** `X-Runledger-Signature`: `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
  signature: string | undefined;
  /** `X-Runledger-Timestamp`: Unix seconds when the caller signed. */
  timestamp: string | undefined;
  body: Buffer;
  sourceIp: string;
}

/** Bounds the audit events unauthenticated requests may cause (see auth/anonymous-audit-budget.ts). */
export interface AuditBudget {
  take(): { write: true; unrecordedBefore: number } | { write: false };
}

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;
const TIMESTAMP = /^\d{1,15}$/;

/**
 * Starts executions from signed webhook requests. The caller proves it holds the trigger's secret
 * with an HMAC-SHA256 over `<timestamp>.<body>`, compared in constant time; the timestamp must be
 * within the replay window, and a signature is accepted once (its fire row is unique). Refusals are
 * audited on the workflow's chain, within a budget (unauthenticated callers must not write without
 * bound). The body is parsed only once the signature holds.
 */
export class WebhookReceiver {
  constructor(
    private readonly deps: EngineDeps,
    private readonly commands: ExecutionCommands,
    private readonly budget: AuditBudget,
    private readonly windowMs = WEBHOOK_REPLAY_WINDOW_MS,
  ) {}

  async receive(request: WebhookRequest, now = Date.now()): Promise<StartedExecution> {
    const trigger = await this.webhookTrigger(request);
    const sealed = await getSealedWebhookSecret(this.deps.db, request.workflowId, request.triggerId);
    if (!sealed) throw notFound(request);
    const signature = SIGNATURE.exec(request.signature?.trim() ?? '')?.[1]?.toLowerCase();
    const timestamp = request.timestamp?.trim() ?? '';
    if (signature === undefined || !TIMESTAMP.test(timestamp)) {
      const missing = request.signature === undefined || request.timestamp === undefined;
      throw await this.refuse(
        request,
        missing ? 'missing signature or timestamp' : 'malformed signature or timestamp',
        new WebhookSignatureError(
          'Sign the request: X-Runledger-Timestamp: <unix seconds> and X-Runledger-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">',
        ),
      );
    }
    const secret = this.deps.secrets.unseal(sealed) as string;
    const expected = crypto.createHmac('sha256', secret).update(`${timestamp}.`).update(request.body).digest();
    if (!crypto.timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
      throw await this.refuse(
        request,
        'signature does not match',
        new WebhookSignatureError('The signature does not match the body and timestamp'),
      );
    }
    const signedAt = Number(timestamp) * 1000;
    if (Math.abs(now - signedAt) > this.windowMs) {
      throw await this.refuse(
        request,
        'timestamp outside the replay window',
        new WebhookTimestampError(`The request was signed more than ${this.windowMs / 1000} s away from the server's time; sign it again`),
      );
    }
    const body = parseBody(request.body);
    try {
      return (await this.commands.startClaimed(
        {
          workflowId: request.workflowId,
          inputs: trigger.inputs,
          trigger: 'webhook',
          triggerId: trigger.id,
          triggerBody: body,
          actor: SYSTEM_ACTOR,
          auditDetails: { sourceIp: request.sourceIp, signedAt: new Date(signedAt).toISOString() },
        },
        async (trx, executionId) => {
          const inserted = await insertFires(trx, [
            {
              id: newId(),
              workflowId: request.workflowId,
              triggerId: trigger.id,
              kind: 'webhook',
              fireKey: signature,
              dueAt: null,
              status: 'started',
              reason: null,
              executionId,
              firedBy: this.deps.workerId,
              createdAt: nowIso(),
            },
          ]);
          if (inserted === 0) throw new WebhookReplayedError('This signed request was accepted before; a replay starts nothing');
          return true;
        },
      ))!;
    } catch (e: unknown) {
      if (e instanceof WebhookReplayedError) throw await this.refuse(request, 'replayed', e);
      throw e;
    }
  }

  private async webhookTrigger(request: WebhookRequest): Promise<WebhookTrigger> {
    const workflow = await getWorkflow(this.deps.db, request.workflowId);
    const version = workflow && (await this.deps.versions.get(this.deps.db, workflow.id, workflow.latestVersion));
    const trigger = version?.definition.triggers?.find((t) => t.id === request.triggerId);
    if (trigger?.type !== 'webhook') throw notFound(request);
    return trigger;
  }

  /** Audits a refused request (within the budget) and returns the error to answer with. */
  private async refuse(request: WebhookRequest, reason: string, error: RunledgerError): Promise<RunledgerError> {
    const budget = this.budget.take();
    if (!budget.write) return error;
    await this.deps.db.transaction().execute((trx) =>
      recordAuditEvent(trx, {
        subjectType: 'workflow',
        subjectId: request.workflowId,
        eventType: 'WEBHOOK_REJECTED',
        actor: null,
        metadata: {
          triggerId: request.triggerId,
          reason,
          code: error.code,
          sourceIp: request.sourceIp,
          ...(budget.unrecordedBefore > 0 ? { unrecordedBefore: budget.unrecordedBefore } : {}),
        },
      }),
    );
    return error;
  }
}

/** The verified body as JSON; an empty body (or `null`) is no body. */
function parseBody(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  if (text.trim() === '') return undefined;
  if (jsonNestsDeeperThan(text)) {
    throw new NestingTooDeepError(`The JSON body nests deeper than ${MAX_NESTING_DEPTH} levels`, { maxDepth: MAX_NESTING_DEPTH });
  }
  try {
    // Keys that would reach a prototype when the value is copied later are refused, as Fastify's parser does.
    const value = JSON.parse(text, (key, item: unknown) => {
      if (key === '__proto__' || (key === 'constructor' && typeof item === 'object' && item !== null && 'prototype' in item)) {
        throw new SyntaxError(`the key "${key}" is not allowed`);
      }
      return item;
    }) as unknown;
    return value === null ? undefined : value;
  } catch (e: unknown) {
    throw new InvalidJsonError(`The webhook body is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}
