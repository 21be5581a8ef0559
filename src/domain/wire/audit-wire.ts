import { z } from 'zod';
import type { AuditCheckpoint, AuditVerification, StepResultAuditEntry } from '../audit.ts';
import { instantWire, jsonWire } from './common-wire.ts';
import { taskRunStatusWire } from './execution-wire.ts';

/**
 * Who acted, as an audit event names them: `kind` (user, token, worker, system, anonymous), and as
 * they apply `userId`, `username`, `tokenId`, `workerId`.
 */
export const auditActorWire = z.record(z.string(), jsonWire).meta({ id: 'AuditActor' });

/** One immutable audit event, chained by hash to the previous event of the same subject. */
export const auditEventWire = z
  .object({
    id: z.string(),
    subjectType: z.string(),
    subjectId: z.string(),
    seq: z.number().int().meta({ description: "Position in its subject's chain: 1, 2, 3…" }),
    executionId: z.string().nullable(),
    eventType: z.string(),
    actor: auditActorWire,
    metadata: z.record(z.string(), jsonWire),
    createdAt: instantWire,
    prevHash: z.string().nullable(),
    hash: z.string(),
    keyId: z.string().nullable().meta({ description: 'The deployment audit key that authenticated the event' }),
    mac: z.string().nullable().meta({ description: 'HMAC-SHA256 of `hash` under that key (null on events from before authentication)' }),
  })
  .meta({ id: 'AuditEvent' });

/** One chain's check; `problems` names the first break. */
export const chainVerificationWire = z
  .object({ ok: z.boolean(), checked: z.number().int(), problems: z.array(z.string()) })
  .meta({ id: 'ChainVerification' });

/** `GET /v1/executions/:id/audit`: the execution's events in chain order and whether the chain verifies. */
export const executionAuditWire = z
  .object({ items: z.array(auditEventWire), verification: chainVerificationWire })
  .meta({ id: 'ExecutionAudit' });

export const stepResultAuditEntryWire: z.ZodType<StepResultAuditEntry> = z
  .object({
    id: z.string(),
    taskRunId: z.string(),
    transitionId: z.string(),
    executionId: z.string(),
    recordedAt: instantWire,
    workerId: z.string().nullable(),
    recordedBy: z.string().nullable(),
    correlationId: z.string().nullable(),
    success: z.boolean(),
    executionTimeMs: z.number().nullable(),
    stepName: z.string(),
    attempt: z.number().int(),
    fromState: taskRunStatusWire.nullable(),
    toState: taskRunStatusWire,
    result: jsonWire,
  })
  .meta({ id: 'StepResultAuditEntry' });

export const auditCheckpointWire: z.ZodType<AuditCheckpoint> = z
  .object({
    id: z.string(),
    seq: z.number().int(),
    createdAt: instantWire,
    reason: z.string(),
    heads: z.array(z.tuple([z.string(), z.string(), z.number().int(), z.string()])),
    prevHash: z.string().nullable(),
    hash: z.string(),
    keyId: z.string(),
    signature: z.string(),
  })
  .meta({ id: 'AuditCheckpoint' });

/** `GET /v1/audit/checkpoints/latest`: the checkpoint and the server's public audit key (PEM). */
export const exportedCheckpointWire = z
  .object({
    id: z.string(),
    seq: z.number().int(),
    createdAt: instantWire,
    reason: z.string(),
    heads: z.array(z.tuple([z.string(), z.string(), z.number().int(), z.string()])),
    prevHash: z.string().nullable(),
    hash: z.string(),
    keyId: z.string(),
    signature: z.string(),
    publicKey: z.string(),
  })
  .meta({ id: 'ExportedCheckpoint' });

export const auditVerificationWire: z.ZodType<AuditVerification> = z
  .object({
    ok: z.boolean(),
    chains: z.number().int(),
    events: z.number().int(),
    checkpoints: z.number().int(),
    problems: z.array(z.string()),
  })
  .meta({ id: 'AuditVerification' });
