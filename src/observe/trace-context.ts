import crypto from 'node:crypto';

/** One span's place in a trace, as W3C Trace Context carries it. */
export interface TraceIds {
  traceId: string;
  spanId: string;
  /** Bit 0: sampled. */
  flags: number;
  tracestate?: string | undefined;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
/** W3C Trace Context caps `tracestate` at 32 members; 512 characters is the size it says to keep. */
const MAX_TRACESTATE = 512;
const TRACESTATE_MEMBER = /^[a-z0-9][a-z0-9_\-*/@]{0,255}=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/**
 * Reads a `traceparent` header; null when it is not valid (W3C Trace Context says to ignore it then).
 * Version 00 must have exactly four fields; a later version may append more, which are ignored.
 */
export function parseTraceparent(header: string | undefined): TraceIds | null {
  if (header === undefined) return null;
  const m = TRACEPARENT.exec(header.trim());
  if (!m) return null;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return null;
  return { traceId, spanId, flags: parseInt(flags, 16) & 1 };
}

/** A `tracestate` header worth passing on, or undefined (too long, or a member that is not well formed). */
export function validTracestate(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '' || value.length > MAX_TRACESTATE) return undefined;
  const members = value
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  return members.length > 0 && members.length <= 32 && members.every((m) => TRACESTATE_MEMBER.test(m)) ? members.join(',') : undefined;
}

export function formatTraceparent(ids: { traceId: string; spanId: string; flags: number }): string {
  return `00-${ids.traceId}-${ids.spanId}-0${ids.flags & 1}`;
}

/**
 * The span of an execution, which any process can name without asking another: its span id comes
 * from the execution id, and so does its trace id unless the run request joined a caller's trace.
 * An execution id is a UUIDv7, 128 bits with random low bits: as a trace id it lets an operator find
 * the trace of an execution from its id alone.
 */
export function executionSpanIds(executionId: string, caller: TraceIds | null): TraceIds {
  const derived = digest(`runledger execution span ${executionId}`).slice(0, 16);
  const spanId = derived === ZERO_SPAN ? '0000000000000001' : derived;
  if (caller) return { traceId: caller.traceId, spanId, flags: caller.flags, tracestate: caller.tracestate };
  const hex = executionId.replace(/-/g, '').toLowerCase();
  const traceId = /^[0-9a-f]{32}$/.test(hex) && hex !== ZERO_TRACE ? hex : digest(`runledger execution trace ${executionId}`).slice(0, 32);
  return { traceId, spanId, flags: 1 };
}

function digest(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}
