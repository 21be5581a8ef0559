import type { AttachmentCheck, AttachmentView, WorkflowVersionDetail } from '../../client/record-types.ts';
import type { RecordStep } from '../record-steps.ts';
import type { TaskRunView, WorkflowDefinition } from '../../client/types.ts';
import { colourStatus, formatBytes, formatTimestamp, formatValue, truncate, type Colors } from './format.ts';
import { renderFields, renderTable } from './table.ts';

/** What a step asks of a person (a manual task's description), or its name. */
function stepDescription(task: WorkflowDefinition['tasks'][number]): string {
  const description = task.with.description;
  return typeof description === 'string' ? description : (task.name ?? '');
}

/**
 * The steps of a record: every task of its definition in order, with the status of its latest
 * attempt (`pending` before it has one), then the steps a person added.
 */
export function renderSteps(definition: WorkflowDefinition, runs: readonly TaskRunView[], c: Colors): string {
  const latest = new Map<string, TaskRunView>();
  for (const run of runs) {
    const seen = latest.get(run.taskId);
    if (!seen || run.attempt > seen.attempt) latest.set(run.taskId, run);
  }
  const rows = definition.tasks.map((task) => [
    task.id,
    task.type,
    colourStatus(latest.get(task.id)?.status ?? 'pending', c),
    truncate(stepDescription(task), 70),
  ]);
  const declared = new Set(definition.tasks.map((t) => t.id));
  for (const run of latest.values()) {
    if (!declared.has(run.taskId)) rows.push([run.taskId, run.type, colourStatus(run.status, c), c.dim('(added)')]);
  }
  return renderTable(['STEP', 'TYPE', 'STATUS', 'DESCRIPTION'], rows, c);
}

/** `procedure show`: the procedure's name and version, its variables form, its steps and its document. */
export function renderProcedure(version: WorkflowVersionDetail, c: Colors): string {
  const head = renderFields(
    [
      ['Procedure', `${version.name} (${version.workflowId})`],
      ['Version', String(version.version)],
      ['Created', formatTimestamp(version.createdAt)],
    ],
    c,
  );
  const inputs =
    version.inputs.length === 0
      ? c.dim('(no inputs)')
      : renderTable(
          ['INPUT', 'TYPE', 'REQUIRED', 'DEFAULT', 'DESCRIPTION'],
          version.inputs.map((i) => [
            i.secret ? `${i.name} (secret)` : i.name,
            i.type,
            i.required ? 'yes' : 'no',
            i.default === null || i.default === undefined ? '-' : truncate(formatValue(i.default), 30),
            truncate(i.description ?? '', 60),
          ]),
          c,
        );
  const doc = version.doc?.trim() ? version.doc.replace(/\n+$/, '') : c.dim('(no document)');
  return [
    head,
    `${c.bold('Inputs')}\n${inputs}`,
    `${c.bold('Steps')}\n${renderSteps(version.definition, [], c)}`,
    `${c.bold('Document')}\n${doc}`,
  ].join('\n\n');
}

/** One attachment in one line: id, name, size, type, hash. */
export function describeAttachment(a: AttachmentView): string {
  return `attachment ${a.id}: ${a.fileName}, ${formatBytes(a.sizeBytes)}, ${a.mediaType}, sha256 ${a.sha256}`;
}

/** `attachment list`: the evidence of an execution, with the step each file belongs to. */
export function renderAttachmentList(items: readonly AttachmentView[], stepOf: (taskRunId: string) => string, c: Colors): string {
  return renderTable(
    ['ID', 'STEP', 'FILE', 'SIZE', 'TYPE', 'UPLOADED'],
    items.map((a) => [
      a.id,
      stepOf(a.taskRunId),
      truncate(a.fileName, 40),
      formatBytes(a.sizeBytes),
      a.mediaType,
      formatTimestamp(a.createdAt),
    ]),
    c,
  );
}

/** `attachments check`: one line per problem, after a summary line. */
export function renderAttachmentCheck(check: AttachmentCheck, c: Colors): string {
  const problems = check.missing.length + check.altered.length + check.orphans.length;
  const summary = `${check.checked.toLocaleString('en-US')} attachments checked`;
  const stale = check.staleUploads.length;
  const staleLine =
    stale === 0
      ? ''
      : check.staleUploadsRemoved
        ? `\n${stale} unfinished upload${stale === 1 ? '' : 's'} (temporary files) removed`
        : `\n${c.yellow(`${stale} unfinished upload${stale === 1 ? '' : 's'}`)} left temporary files: remove them with \`runledger attachments check --clean\``;
  if (check.ok && problems === 0) return `${summary}: ${c.green('no problems')}${staleLine}`;
  const row = (kind: string, p: AttachmentCheck['missing'][number]): string[] => [
    c.red(kind),
    p.id,
    p.executionId,
    truncate(p.fileName, 40),
    p.storageKey,
  ];
  const rows = [
    ...check.missing.map((p) => row('missing', p)),
    ...check.altered.map((p) => row('altered', p)),
    ...check.orphans.map((key) => [c.yellow('orphan'), '-', '-', '-', key]),
  ];
  return `${summary}: ${c.red(`${problems} problem${problems === 1 ? '' : 's'}`)}\n${renderTable(
    ['PROBLEM', 'ATTACHMENT', 'EXECUTION', 'FILE', 'STORAGE KEY'],
    rows,
    c,
  )}${staleLine}`;
}

/**
 * `execution inspect` of a human-run record: every step in order with its number, what it asks,
 * its status, who ended it and when, the notes and the evidence (names and sizes).
 */
export function renderRecordSteps(steps: readonly RecordStep[], c: Colors): string {
  if (steps.length === 0) return `${c.bold('Steps')}\n${c.dim('(no steps)')}`;
  const lines = steps.flatMap((s) => {
    const who = s.completedAt
      ? ` by ${s.completedBy ?? (s.type === 'manual' ? 'unknown' : 'a worker')} at ${formatTimestamp(s.completedAt)}`
      : '';
    const head = `${String(s.number).padStart(2)}. ${s.taskId} (${s.type}) ${colourStatus(s.status, c)}${s.type === 'manual' ? who : ''}`;
    const body: string[] = [];
    if (s.description) body.push(`    ${s.description.replace(/\s*\n\s*/g, ' ')}`);
    if (s.notes) body.push(`    notes: ${s.notes.replace(/\n/g, '\n           ')}`);
    if (s.attachments.length > 0)
      body.push(`    attachments: ${s.attachments.map((a) => `${a.fileName} (${formatBytes(a.sizeBytes)})`).join(', ')}`);
    return [head, ...body];
  });
  return `${c.bold('Steps')}\n${lines.join('\n')}`;
}
