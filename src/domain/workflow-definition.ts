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

export interface WorkflowDefinition {
  id: string;
  name: string;
  description?: string;
  inputs: Record<string, InputDefinition>;
  /** The procedure document (Markdown with `{{ inputs.x }}` placeholders). */
  doc?: string;
  timeout?: string;
  tasks: TaskDefinition[];
  /** Tasks that run once the execution has failed or timed out (a phase of their own). */
  on_failure?: TaskDefinition[];
}
