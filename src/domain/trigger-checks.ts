import { InvalidInputsError } from './errors.ts';
import { resolveInputs } from './resolve-inputs.ts';
import { cronProblem } from './schedule-times.ts';
import type { WorkflowDefinition } from './workflow-definition.ts';

/**
 * Semantic problems of a definition's `triggers:` that its schema cannot see, each prefixed by its
 * path: a trigger is a schedule (`cron:`) or a webhook (`webhook: {}`), never both; the cron
 * expression and time zone must be usable; trigger ids are unique. Reads the raw value defensively.
 */
export function checkTriggers(raw: unknown): string[] {
  if (!isRecord(raw) || !Array.isArray(raw.triggers)) return [];
  const problems: string[] = [];
  const seen = new Set<string>();
  raw.triggers.forEach((item: unknown, index) => {
    if (!isRecord(item)) return;
    const at = `triggers[${index}]`;
    if (typeof item.id === 'string') {
      if (seen.has(item.id)) problems.push(`${at}.id: duplicate trigger id "${item.id}"`);
      seen.add(item.id);
    }
    const hasCron = item.cron !== undefined;
    const hasWebhook = item.webhook !== undefined;
    if (hasCron && hasWebhook) problems.push(`${at}: a trigger has either cron or webhook, not both`);
    if (!hasCron && !hasWebhook) problems.push(`${at}: needs cron: "<five fields>" (a schedule) or webhook: {} (a webhook)`);
    if (!hasCron) {
      for (const key of ['timezone', 'catch_up'] as const) {
        if (item[key] !== undefined) problems.push(`${at}.${key}: only a schedule (cron) has ${key}`);
      }
      return;
    }
    if (typeof item.cron !== 'string') return;
    const timezone = typeof item.timezone === 'string' ? item.timezone : 'UTC';
    const problem = cronProblem({ cron: item.cron, timezone });
    if (problem !== undefined) problems.push(`${at}.${problem.startsWith('unknown time zone') ? 'timezone' : 'cron'}: ${problem}`);
  });
  return problems;
}

/** Each trigger's `inputs` must start the workflow as they are: required inputs given, types right. */
export function checkTriggerInputs(definition: WorkflowDefinition): string[] {
  const problems: string[] = [];
  (definition.triggers ?? []).forEach((trigger, index) => {
    try {
      resolveInputs(definition, trigger.inputs);
    } catch (e: unknown) {
      if (!(e instanceof InvalidInputsError)) throw e;
      for (const problem of e.problems) problems.push(`triggers[${index}].${problem}`);
    }
  });
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
