import type { ArchiveVerification } from '../../observe/execution-archive.ts';
import type {
  AuditActor,
  AuditEvent,
  AuditVerification,
  ChainVerification,
  ExecutionAudit,
  StepResultAuditEntry,
  TaskRunView,
} from '../../client/types.ts';
import { formatBytes, formatDuration, formatTimestamp, formatValue, truncate, type Colors } from './format.ts';
import { renderTable } from './table.ts';

/** `ada`, `ada (token)`, `worker host:123:ab12cd34`, `system`, `anonymous`. */
export function formatActor(actor: AuditActor): string {
  const name = actor.username ?? actor.userId ?? undefined;
  switch (actor.kind) {
    case 'user':
      return name ?? 'unknown user';
    case 'token':
      return `${name ?? 'unknown user'} (token)`;
    case 'worker':
      return actor.workerId ? `worker ${actor.workerId}` : 'worker';
    default:
      return name ? `${actor.kind} ${name}` : actor.kind;
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `pending->running`; `completed in 98ms` when it could come from several statuses. */
function move(m: Record<string, unknown>): string | undefined {
  if (m.to === undefined) return undefined;
  const to = formatValue(m.to);
  const moved = typeof m.from === 'string' ? `${m.from}->${to}` : to;
  return typeof m.durationMs === 'number' ? `${moved} in ${formatDuration(m.durationMs)}` : moved;
}

/**
 * What an event says in a few words: `task a#1 running->succeeded`, `hello v2, trigger cli`,
 * `running->completed`; otherwise its metadata as `key=value` pairs.
 */
export function describeAuditEvent(e: AuditEvent, runs: readonly TaskRunView[] = []): string {
  const m = e.metadata;
  const parts: string[] = [];
  if (e.eventType === 'CREATED' && text(m.workflowId)) {
    parts.push(`${formatValue(m.workflowId)} v${formatValue(m.workflowVersion)}`);
    if (text(m.trigger)) parts.push(`trigger ${formatValue(m.trigger)}${text(m.triggerId) ? ` ${formatValue(m.triggerId)}` : ''}`);
    return parts.join(', ');
  }
  // Events about a step (evidence, notes) name its task run; the attempt is that run's.
  const attempt = m.attempt ?? runs.find((r) => r.id === m.taskRunId)?.attempt;
  const task = text(m.taskId) ? `task ${formatValue(m.taskId)}${attempt === undefined ? '' : `#${formatValue(attempt)}`}` : undefined;
  const moved = move(m);
  if (task || moved) {
    const head = [
      task,
      moved,
      text(m.fileName) && typeof m.sizeBytes === 'number' ? `${formatValue(m.fileName)} (${formatBytes(m.sizeBytes)})` : undefined,
    ]
      .filter(Boolean)
      .join(' ');
    if (text(m.code)) parts.push(formatValue(m.code));
    // a reason that only repeats the code says nothing more
    if (text(m.reason) && m.reason !== m.code) parts.push(formatValue(m.reason));
    return truncate(parts.length > 0 ? `${head} (${parts.join(': ')})` : head, 80);
  }
  const pairs = Object.entries(m).map(([k, v]) => `${k}=${formatValue(v)}`);
  return truncate(pairs.join(' '), 80);
}

/** `audit list`: the newest events of every subject. */
export function renderAuditList(events: readonly AuditEvent[], c: Colors): string {
  return renderTable(
    ['TIME', 'SUBJECT', 'SEQ', 'EVENT', 'ACTOR'],
    events.map((e) => [formatTimestamp(e.createdAt), `${e.subjectType} ${e.subjectId}`, String(e.seq), e.eventType, formatActor(e.actor)]),
    c,
  );
}

/** One chain in order: time, seq, event, actor, a short detail (`runs`: the execution's task runs, to name attempts). */
export function renderAuditTimeline(events: readonly AuditEvent[], c: Colors, runs: readonly TaskRunView[] = []): string {
  if (events.length === 0) return c.dim('(no audit events)');
  return renderTable(
    ['TIME', 'SEQ', 'EVENT', 'ACTOR', 'DETAIL'],
    events.map((e) => [formatTimestamp(e.createdAt), String(e.seq), e.eventType, formatActor(e.actor), describeAuditEvent(e, runs)]),
    c,
  );
}

/** `chain verified (N events)`, or `chain verification FAILED` and each problem on its own line. */
export function renderChainVerification(v: ChainVerification, c: Colors): string {
  if (v.ok) return c.green(`chain verified (${v.checked} events)`);
  return [c.red('chain verification FAILED'), ...v.problems.map((p) => `  ${p}`)].join('\n');
}

/** `audit verified: N chains, M events, K checkpoints`, or `audit verification FAILED` and each problem on its own line. */
export function renderAuditVerification(v: AuditVerification, c: Colors): string {
  if (v.ok) return `audit verified: ${v.chains} chains, ${v.events} events, ${v.checkpoints} checkpoints`;
  return [c.red('audit verification FAILED'), ...v.problems].join('\n');
}

/** The offline verification of an exported execution. */
export function renderArchiveVerification(v: ArchiveVerification, c: Colors): string {
  const facts = [
    `execution ${v.executionId ?? 'unknown'}`,
    `${v.checked.files} files, ${v.checked.attachments} evidence files, ${v.checked.events} audit events`,
    `checkpoint signed by key ${v.keyId ?? 'unknown'}`,
  ];
  if (v.ok) return [c.green('archive verified'), ...facts].join('\n');
  return [c.red('archive verification FAILED'), ...facts, ...v.problems].join('\n');
}

/** The step-result audit rows of every task run, in task-run order. */
export function renderStepAudit(
  runs: readonly TaskRunView[],
  stepAudit: Readonly<Record<string, StepResultAuditEntry[]>>,
  c: Colors,
): string {
  const rows = runs.flatMap((run) =>
    (stepAudit[run.id] ?? []).map((a) => [
      `${run.taskId}#${run.attempt}`,
      formatTimestamp(a.recordedAt),
      a.recordedBy ?? '-',
      a.correlationId ?? '-',
      a.success ? c.green('yes') : c.red('no'),
      formatDuration(a.executionTimeMs),
    ]),
  );
  if (rows.length === 0) return c.dim('(no step results recorded)');
  return renderTable(['TASK RUN', 'RECORDED AT', 'RECORDED BY', 'CORRELATION ID', 'SUCCESS', 'EXECUTION TIME'], rows, c);
}

/** What `execution show --audit` adds after the normal view: the timeline, its verification, the step results. */
export function renderExecutionAudit(
  audit: ExecutionAudit,
  runs: readonly TaskRunView[],
  stepAudit: Readonly<Record<string, StepResultAuditEntry[]>>,
  c: Colors,
): string {
  return [
    c.bold('Audit trail'),
    renderAuditTimeline(audit.items, c, runs),
    renderChainVerification(audit.verification, c),
    '',
    c.bold('Step results'),
    renderStepAudit(runs, stepAudit, c),
  ].join('\n');
}
