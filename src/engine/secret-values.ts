import type { WorkflowDefinition } from '../domain/workflow-definition.ts';
import { collectSecretNames, secretFromEnv } from './template.ts';

/**
 * Every value that must never reach the store for one execution: the values of inputs declared
 * `secret: true` and of every `{{ secrets.X }}` the definition refers to.
 */
export function secretValues(definition: WorkflowDefinition, inputs: Record<string, unknown>, env: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  for (const [name, spec] of Object.entries(definition.inputs)) {
    const value = inputs[name];
    if (spec.secret && value !== undefined && value !== null) values.push(typeof value === 'string' ? value : JSON.stringify(value));
  }
  for (const name of collectSecretNames(definition.tasks.map((t) => t.with))) {
    const value = secretFromEnv(name, env);
    if (value) values.push(value);
  }
  return values;
}
