import { SecretKeyUnavailableError } from '../domain/errors.ts';
import type { WorkflowDefinition } from '../domain/workflow-definition.ts';
import { MASK, Masker } from './masker.ts';
import type { SecretBox } from './secret-box.ts';
import { secretPartsOf, secretValues } from './secret-values.ts';

/** An execution's inputs in clear (only ever in memory) and the masker made from its secrets. */
export interface OpenedSecrets {
  inputs: Record<string, unknown>;
  masker: Masker;
}

/**
 * The inputs as they may be stored and shown: a secret input is `***` whatever its type (an object's
 * fields, an array's items and a number's digits included), every other value masked with `masker`.
 */
export function maskInputs(definition: WorkflowDefinition, inputs: Record<string, unknown>, masker: Masker): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(inputs)) {
    out[name] = definition.inputs[name]?.secret && value !== undefined && value !== null ? MASK : masker.maskValue(value);
  }
  return out;
}

/** Names of the inputs declared `secret: true`: never indexed for search. */
export function secretInputNames(definition: WorkflowDefinition): string[] {
  return Object.entries(definition.inputs)
    .filter(([, spec]) => spec.secret)
    .map(([name]) => name);
}

/**
 * The secret inputs of an execution, sealed for the store; null when it has none. `alsoSeal` names
 * inputs that carry a secret without being declared secret (a child's input made from its parent's secret).
 */
export function sealSecretInputs(
  box: SecretBox,
  definition: WorkflowDefinition,
  inputs: Record<string, unknown>,
  alsoSeal: readonly string[] = [],
): string | null {
  const secret = Object.fromEntries(
    Object.entries(inputs).filter(
      ([name, value]) => (definition.inputs[name]?.secret || alsoSeal.includes(name)) && value !== undefined && value !== null,
    ),
  );
  return Object.keys(secret).length === 0 ? null : box.seal({ inputs: secret });
}

/**
 * Rebuilds an execution's clear inputs from its stored (masked) inputs and its sealed secrets, and
 * the masker for everything it writes. Throws `SecretKeyUnavailableError` when a secret input has a
 * value but the sealed copy cannot be opened here (another key, or already erased): nothing may run
 * with `***` standing in for a secret.
 */
export function openExecutionSecrets(
  box: SecretBox,
  definition: WorkflowDefinition,
  maskedInputs: Record<string, unknown>,
  sealed: string | null,
  env: NodeJS.ProcessEnv,
): OpenedSecrets {
  const inputs = { ...maskedInputs };
  // Every sealed value is a secret, declared or inherited from a parent execution.
  const sealedParts: string[] = [];
  if (sealed !== null) {
    const opened = box.unseal(sealed) as { inputs?: Record<string, unknown> };
    Object.assign(inputs, opened.inputs ?? {});
    for (const value of Object.values(opened.inputs ?? {})) sealedParts.push(...secretPartsOf(value));
  } else {
    const missing = Object.keys(definition.inputs).filter(
      (name) => definition.inputs[name]?.secret && maskedInputs[name] !== undefined && maskedInputs[name] !== null,
    );
    if (missing.length > 0) {
      throw new SecretKeyUnavailableError(
        `the secret values of input(s) ${missing.join(', ')} are no longer available (erased when the execution ended)`,
      );
    }
  }
  return { inputs, masker: new Masker([...secretValues(definition, inputs, env), ...sealedParts]) };
}
