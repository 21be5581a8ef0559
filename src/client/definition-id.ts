import { ApiError } from './api-error.ts';

/** The workflow id a YAML or JSON definition declares (YAML is a superset of JSON). */
export async function definitionId(source: string): Promise<string> {
  // Loaded here: the YAML parser is the heaviest module of the client, and only applying a definition needs it.
  const { parse: parseYaml } = await import('yaml');
  let parsed: unknown;
  try {
    parsed = parseYaml(source);
  } catch (e: unknown) {
    const reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new ApiError({ status: 0, code: 'INVALID_DEFINITION', detail: `The definition is neither valid YAML nor JSON: ${reason}` });
  }
  const id = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>).id : undefined;
  if (typeof id !== 'string' || id === '') {
    throw new ApiError({
      status: 0,
      code: 'INVALID_DEFINITION',
      detail: 'The definition has no "id" (a string such as deploy_service)',
      problems: ['id: required'],
    });
  }
  return id;
}
