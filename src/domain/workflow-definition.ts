/**
 * A workflow definition as users write it (YAML or JSON), after validation and normalisation.
 * Durations stay as the strings users wrote (`30s`, `5m`, `1h30m`); `parseDurationMs` reads them.
 */
export const TASK_TYPES = ['shell', 'http', 'log', 'sleep', 'plugin', 'manual', 'workflow'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

export const INPUT_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

export interface InputDefinition {
  type: InputType;
  description?: string;
  default?: unknown;
  required: boolean;
  /** A secret input's value is masked (`***`) before anything is stored. */
  secret: boolean;
}

export interface RetryPolicy {
  /** Retries after the first attempt: `max: 3` allows up to 4 attempts. */
  max: number;
  /** Delay before each retry, e.g. `2s`. */
  backoff: string;
}

export interface TaskDefinition {
  id: string;
  type: TaskType;
  name?: string;
  needs: string[];
  with: Record<string, unknown>;
  retry?: RetryPolicy;
  timeout?: string;
  /** A CEL expression (domain/expression.ts): when it is false the task run is skipped. */
  if?: string;
  /** `{{ … }}` yielding a list: one task run per item, which sees `{{ item }}` and `{{ index }}`. */
  for_each?: string;
  /** With `for_each`: at most this many items at once. */
  concurrency?: number;
  /** With `for_each`: a failed item does not fail the task. */
  continue_on_failure?: boolean;
}

/** `cron:` — starts the workflow at every due time of a five-field cron expression. */
export interface ScheduleTrigger {
  id: string;
  type: 'schedule';
  cron: string;
  /** IANA time zone the expression is read in (default `UTC`). */
  timezone: string;
  inputs: Record<string, unknown>;
  /** After an outage, run the latest missed due time once instead of only recording it as skipped. */
  catchUp: boolean;
}

/** `webhook: {}` — starts the workflow on a signed `POST /v1/workflows/<id>/webhooks/<trigger id>`. */
export interface WebhookTrigger {
  id: string;
  type: 'webhook';
  inputs: Record<string, unknown>;
}

export type TriggerDefinition = ScheduleTrigger | WebhookTrigger;

export interface WorkflowDefinition {
  id: string;
  name: string;
  description?: string;
  inputs: Record<string, InputDefinition>;
  /** The procedure document (Markdown with `{{ inputs.x }}` placeholders). */
  doc?: string;
  timeout?: string;
  tasks: TaskDefinition[];
  /** How the workflow starts on its own (schedules, webhooks); absent when it has none. */
  triggers?: TriggerDefinition[];
  /** Tasks that run once the execution has failed or timed out (a phase of their own). */
  on_failure?: TaskDefinition[];
}
