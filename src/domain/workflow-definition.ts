/**
 * A workflow definition as users write it (YAML or JSON), after validation and normalisation.
 * Durations stay as the strings users wrote (`30s`, `5m`, `1h30m`); `parseDurationMs` reads them.
 */
export const TASK_TYPES = ['shell', 'http', 'log', 'sleep', 'plugin', 'manual'] as const;
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
}
