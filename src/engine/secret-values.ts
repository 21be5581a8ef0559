import type { WorkflowDefinition } from '../domain/workflow-definition.ts';
import { collectSecretNames, secretFromEnv } from './template.ts';

/**
 * Every value that must never reach the store for one execution: the values of inputs declared
 * `secret: true` and of every `{{ secrets.X }}` the definition refers to. A secret input of type
 * `object` or `array` counts with its JSON and with every string and number inside it: a task may
 * print one field of it (`{{ inputs.creds.password }}`), a person may paste one into a note.
 */
export function secretValues(definition: WorkflowDefinition, inputs: Record<string, unknown>, env: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  for (const [name, spec] of Object.entries(definition.inputs)) {
    const value = inputs[name];
    if (spec.secret && value !== undefined && value !== null) values.push(...secretPartsOf(value));
  }
  for (const name of collectSecretNames([...definition.tasks, ...(definition.on_failure ?? [])].map((t) => t.with))) {
    const value = secretFromEnv(name, env);
    if (value) values.push(value);
  }
  return values;
}

/** A secret value as text: itself when a string, else its JSON (compact and indented) and every leaf inside. */
export function secretPartsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  const parts = [JSON.stringify(value), JSON.stringify(value, null, 2)];
  // Iterative walk: a secret value is already bounded in depth by the request parser, but a walk
  // that cannot overflow the stack costs nothing more.
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') parts.push(item);
    else if (typeof item === 'number' || typeof item === 'bigint') parts.push(String(item));
    else if (Array.isArray(item)) stack.push(...(item as unknown[]));
    else if (typeof item === 'object' && item !== null) stack.push(...Object.values(item as Record<string, unknown>));
  }
  return parts.filter((p): p is string => typeof p === 'string');
}
