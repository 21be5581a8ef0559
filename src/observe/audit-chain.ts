import crypto from 'node:crypto';

/** The fields of an audit event that its hash covers. */
export interface AuditEventContent {
  id: string;
  subjectType: string;
  subjectId: string;
  seq: number;
  executionId: string | null;
  eventType: string;
  actor: unknown;
  metadata: unknown;
  createdAt: string;
}

/** The part of a stored event its hash covers: everything but the links and the authentication. */
export function hashedContent<E extends AuditEventContent & { prevHash: unknown; hash: unknown; keyId?: unknown; mac?: unknown }>(
  e: E,
): AuditEventContent {
  const { id, subjectType, subjectId, seq, executionId, eventType, actor, metadata, createdAt } = e;
  return { id, subjectType, subjectId, seq, executionId, eventType, actor, metadata, createdAt };
}

/** JSON with object keys sorted at every depth: the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  // Built by concatenation, without the arrays of entries a map/filter/join would make: every audit
  // event of every state change passes here.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // The default sort orders by UTF-16 code units, as `<` on strings does.
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    const v = record[key];
    if (v === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/** `hash = sha256(prev_hash ‖ canonical row)` (DESIGN invariant 4). */
export function auditHash(prevHash: string | null, event: AuditEventContent): string {
  return crypto
    .createHash('sha256')
    .update(prevHash ?? '')
    .update('\n')
    .update(canonicalJson(event))
    .digest('hex');
}
