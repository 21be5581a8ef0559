import type { CleanupReport, RetentionStats } from '../../client/types.ts';
import { colourStatus, formatBytes, formatTimestamp, type Colors } from './format.ts';
import { renderFields, renderTable } from './table.ts';

/** `logs stats`: the policy, each table's rows and size, executions by status, the oldest records. */
export function renderRetentionStats(stats: RetentionStats, c: Colors): string {
  const policy = renderFields(
    [
      ['Log lines kept', `${stats.policy.logDays} days after an execution ended`],
      ['Audit kept', `${stats.policy.auditDays} days after an execution ended`],
      [
        'Records kept',
        typeof stats.policy.recordDays === 'number'
          ? `${stats.policy.recordDays} days after an execution ended, then deleted (RUNLEDGER_RECORD_RETENTION_DAYS)`
          : 'indefinitely (RUNLEDGER_RECORD_RETENTION_DAYS is not set)',
      ],
    ],
    c,
  );
  const tables = renderTable(
    ['TABLE', 'ROWS', 'SIZE'],
    stats.tables.map((t) => [t.table, t.rows.toLocaleString('en-US'), formatBytes(t.bytes)]),
    c,
  );
  const statuses = Object.entries(stats.executionsByStatus).sort(([a], [b]) => a.localeCompare(b));
  const byStatus =
    statuses.length === 0
      ? 'No executions yet.'
      : renderTable(
          ['STATUS', 'EXECUTIONS'],
          statuses.map(([status, n]) => [colourStatus(status, c), n.toLocaleString('en-US')]),
          c,
        );
  const oldest = renderFields(
    [
      ['Oldest execution', formatTimestamp(stats.oldest.execution)],
      ['Oldest log line', formatTimestamp(stats.oldest.logLine)],
      ['Oldest audit event', formatTimestamp(stats.oldest.auditEvent)],
    ],
    c,
  );
  return [policy, tables, byStatus, oldest].join('\n\n');
}

/** `logs cleanup`: what was (or, on a dry run, would be) deleted, and the cutoffs. */
export function renderCleanupReport(report: CleanupReport, c: Colors): string {
  const verb = report.dryRun ? 'would be' : 'were';
  const fields = renderFields(
    [
      ['Log lines', `${report.logLines.deleted.toLocaleString('en-US')} ${verb} deleted`],
      ['  cutoff', `executions that ended before ${formatTimestamp(report.logLines.before)}`],
      [
        'Audit',
        `${report.audit.chains.toLocaleString('en-US')} chains, ${report.audit.events.toLocaleString('en-US')} events ${verb} purged`,
      ],
      ['  cutoff', `executions that ended before ${formatTimestamp(report.audit.before)}`],
      ['Trigger fires', `${report.triggerFires.deleted.toLocaleString('en-US')} ${verb} deleted`],
      ['  cutoff', `recorded before ${formatTimestamp(report.triggerFires.before)}`],
    ],
    c,
  );
  return report.dryRun ? `${c.yellow('Dry run: nothing was deleted.')}\n${fields}` : fields;
}
