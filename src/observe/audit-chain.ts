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
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
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
