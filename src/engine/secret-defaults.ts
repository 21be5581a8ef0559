import YAML from 'yaml';
import type { WorkflowVersion } from '../domain/records.ts';
import { MASK, Masker } from './masker.ts';
import { secretPartsOf } from './secret-values.ts';

/**
 * A version as anyone may see it: the `default` of every secret input is `***`, in the definition
 * and in the source as written (every member may read a workflow; only a run may use the value).
 * The source is edited as a YAML document, which keeps its comments and layout, and masked as text
 * afterwards as well, so a default repeated elsewhere in the source (a comment, an anchor) is hidden too.
 */
export function hideSecretDefaults(version: WorkflowVersion): WorkflowVersion {
  const secretDefaults = Object.entries(version.definition.inputs).filter(([, spec]) => spec.secret && spec.default !== undefined);
  if (secretDefaults.length === 0) return version;
  const inputs = { ...version.definition.inputs };
  for (const [name, spec] of secretDefaults) inputs[name] = { ...spec, default: MASK };
  const masker = new Masker(secretDefaults.flatMap(([, spec]) => secretPartsOf(spec.default)));
  return {
    ...version,
    definition: { ...version.definition, inputs },
    source: masker.mask(
      sourceWithMaskedDefaults(
        version,
        secretDefaults.map(([name]) => name),
      ),
    ),
  };
}

function sourceWithMaskedDefaults(version: WorkflowVersion, names: readonly string[]): string {
  try {
    const doc = YAML.parseDocument(version.source);
    for (const name of names) if (doc.hasIn(['inputs', name, 'default'])) doc.setIn(['inputs', name, 'default'], MASK);
    return version.sourceFormat === 'json' ? JSON.stringify(doc.toJS(), null, 2) : doc.toString();
  } catch {
    // A source that no longer reads (it read when it was applied) is shown masked as text only.
    return version.source;
  }
}
