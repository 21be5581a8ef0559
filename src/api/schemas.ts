import { z } from 'zod';
import { EXECUTION_STATUSES, type ExecutionStatus } from '../domain/execution-status.ts';
import { parseInstant } from '../domain/time.ts';
import { LOG_LEVELS } from '../domain/wire/log-wire.ts';
import { TRIGGERS, type Trigger } from '../domain/records.ts';
import { MAX_RUNS_PER_REQUEST } from '../domain/run-limits.ts';

/** Request schemas: the validation and the OpenAPI document come from the same source. */
export const uuidParam = z.string().uuid({ message: 'must be a UUID' });

export const executionParams = z.object({ id: uuidParam });
export const taskRunParams = z.object({ id: uuidParam, taskRunId: uuidParam });
export const workflowParams = z.object({
  id: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, 'must be a workflow id ([a-z][a-z0-9_]*)')
    .max(64),
});

const statusList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z.enum(EXECUTION_STATUSES as [ExecutionStatus, ...ExecutionStatus[]], { message: `must be among ${EXECUTION_STATUSES.join(', ')}` }),
    ),
  );

const instant = z
  .string()
  .max(64)
  .refine((s) => parseInstant(s) !== undefined, 'must be an ISO-8601 date or timestamp from 1970-01-01 to 9999-12-31')
  .transform((s) => parseInstant(s)!);

const INPUT_FILTER = /^input\.([a-z][a-z0-9_]*)$/;

/**
 * History filters, for a page and for a count. `input.<key>=<value>` (any number) matches input
 * values through the `execution_inputs` index; any other unknown parameter is refused, not ignored.
 */
export const executionListQuery = z
  .object({
    status: statusList.optional(),
    workflow: z.string().max(64).optional(),
    triggeredBy: uuidParam.optional(),
    from: instant.optional(),
    to: instant.optional(),
    keyword: z.string().min(1).max(200).optional(),
    procedure: z.string().min(1).max(200).optional(),
    executor: z.string().min(1).max(200).optional(),
    trigger: z.enum(TRIGGERS as unknown as [Trigger, ...Trigger[]]).optional(),
    deleted: z
      .enum(['true', 'false'], { message: 'must be true or false' })
      .transform((v) => v === 'true')
      .optional(),
    cursor: uuidParam.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .catchall(z.string().max(1000))
  .superRefine((q, ctx) => {
    const known = [
      'status',
      'workflow',
      'triggeredBy',
      'from',
      'to',
      'keyword',
      'procedure',
      'executor',
      'trigger',
      'deleted',
      'cursor',
      'limit',
    ];
    for (const key of Object.keys(q)) {
      if (!known.includes(key) && !INPUT_FILTER.test(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'unknown filter (inputs are filtered as input.<name>=<value>)' });
      }
    }
  })
  .transform((q) => {
    const inputs: Record<string, string> = {};
    for (const [key, value] of Object.entries(q)) {
      const m = INPUT_FILTER.exec(key);
      if (m && typeof value === 'string') inputs[m[1]!] = value;
    }
    return { ...q, inputs };
  });

export const runBody = z
  .object({
    inputs: z.record(z.string(), z.unknown()).default({}),
    title: z.string().max(500).optional(),
    correlationId: z.string().max(200).optional(),
    version: z.number().int().min(1).optional(),
    /** Start a human-run record (trigger `manual`): it stays running until a person ends it. */
    procedure: z.boolean().default(false),
  })
  .strict()
  .default({ inputs: {}, procedure: false });

/** `POST /v1/workflows/:id/runs`: many executions of one version, each with its own inputs. */
export const runsBody = z
  .object({
    runs: z
      .array(
        z
          .object({
            inputs: z.record(z.string(), z.unknown()).default({}),
            title: z.string().max(500).optional(),
            correlationId: z.string().max(200).optional(),
          })
          .strict(),
      )
      .min(1)
      .max(MAX_RUNS_PER_REQUEST),
    version: z.number().int().min(1).optional(),
  })
  .strict();

export const workflowVersionParams = workflowParams.extend({ version: z.coerce.number().int().min(1) });

const notesText = z.string().max(65536);

export const recordPatchBody = z
  .object({
    title: z.string().min(1).max(500).optional(),
    notes: notesText.optional(),
    status: z.enum(['completed', 'failed']).optional(),
  })
  .strict()
  .refine((b) => b.title !== undefined || b.notes !== undefined || b.status !== undefined, 'give title, notes or status');

export const stepNotesBody = z.object({ notes: notesText }).strict();

export const addStepBody = z.object({ description: z.string().trim().min(1).max(2000) }).strict();

export const cancelBody = z
  .object({ reason: z.string().max(2000).optional() })
  .strict()
  .default({});

export const completeStepBody = z
  .object({
    status: z.enum(['succeeded', 'failed']),
    notes: z.string().max(65536).optional(),
  })
  .strict();

export const loginBody = z.object({ username: z.string().min(1).max(200), password: z.string().min(1).max(1000) }).strict();

export const createTokenBody = z
  .object({
    name: z.string().min(1).max(200),
    expiresAt: instant.refine((t) => Date.parse(t) > Date.now(), 'must be in the future').optional(),
  })
  .strict();

const username = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'letters, digits and . _ @ - only');
const password = z.string().min(8, 'must be at least 8 characters').max(1000);

export const createUserBody = z
  .object({
    username,
    password,
    role: z.enum(['admin', 'member']).default('member'),
    canEditWorkflows: z.boolean().default(false),
  })
  .strict();

export const updateUserBody = z
  .object({
    role: z.enum(['admin', 'member']).optional(),
    password: password.optional(),
    disabled: z.boolean().optional(),
    canEditWorkflows: z.boolean().optional(),
  })
  .strict();

export const userParams = z.object({ id: uuidParam });
export const groupParams = z.object({ id: uuidParam });
export const groupMemberParams = z.object({ id: uuidParam, userId: uuidParam });
export const createGroupBody = z
  .object({
    name: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits and . _ - only'),
  })
  .strict();

/** Users and groups by id or by name; the server resolves names. */
export const sharesBody = z
  .object({
    scope: z.enum(['private', 'shared']),
    users: z.array(z.string().min(1).max(64)).max(200).default([]),
    groups: z.array(z.string().min(1).max(64)).max(200).default([]),
  })
  .strict();

export const auditListQuery = z.object({
  subjectType: z.enum(['execution', 'workflow', 'user', 'group', 'login', 'security']).optional(),
  eventType: z
    .string()
    .regex(/^[A-Z_]+$/, 'an event type such as LOGIN_FAILED')
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const auditVerifyQuery = z.object({ execution: uuidParam.optional() });

const chainHead = z.tuple([z.string(), z.string(), z.number().int(), z.string()]);

/** An exported checkpoint, as `runledger audit checkpoint --out FILE` wrote it. */
export const exportedCheckpointBody = z.object({
  execution: uuidParam.optional(),
  checkpoint: z
    .object({
      id: z.string(),
      seq: z.number().int(),
      createdAt: z.string(),
      reason: z.string(),
      heads: z.array(chainHead),
      prevHash: z.string().nullable(),
      hash: z.string(),
      keyId: z.string(),
      signature: z.string(),
    })
    .strict(),
});

/** The filters every log route shares: levels (a set), a start instant, one task. */
const logFilters = {
  level: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim().toUpperCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(LOG_LEVELS, { message: `must be among ${LOG_LEVELS.join(', ')}` })))
    .optional(),
  /** A duration back from now (`30s`, `5m`, `2h`, `1d`) or a timestamp. */
  since: z.string().max(64).optional(),
  /** A task id: every attempt's lines. */
  task: z.string().max(64).optional(),
};

const seqCursor = z.coerce.number().int().min(0);

export const logsQuery = z
  .object({
    ...logFilters,
    afterSeq: seqCursor.default(0),
    /** The lines just before this seq instead (paging backwards; a seq past the end gives the tail). */
    beforeSeq: seqCursor.min(1).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(1000),
    follow: z
      .enum(['true', 'false', '1', '0'])
      .transform((v) => v === 'true' || v === '1')
      .default(false),
  })
  .refine((q) => !(q.follow && q.beforeSeq !== undefined), {
    message: 'follow reads forwards: give afterSeq, not beforeSeq',
    path: ['beforeSeq'],
  });

/** A search of the whole log: the seqs of matching lines after (or just before) a seq, bounded. */
export const logSearchQuery = z.object({
  ...logFilters,
  q: z.string().min(1).max(200),
  afterSeq: seqCursor.optional(),
  beforeSeq: seqCursor.min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/** A download of the whole log or of the filtered view. */
export const logDownloadQuery = z.object({
  ...logFilters,
  q: z.string().min(1).max(200).optional(),
  format: z.enum(['text', 'ndjson']).default('text'),
});

export const cleanupBody = z
  .object({
    /** 0: every execution that has ended. */
    olderThanDays: z.number().int().min(0).max(36500).optional(),
    status: z.enum(['completed', 'failed', 'cancelled', 'timed_out']).optional(),
    dryRun: z.boolean().default(false),
  })
  .strict();

/** `GET /v1/directory`: a name, or part of one. */
export const directoryQuery = z.object({ q: z.string().trim().min(1).max(100) }).strict();
