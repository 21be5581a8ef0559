import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { ConfirmDialog, ErrorNote, Loading, Time } from '../components/common.tsx';

type Report = Schemas['CleanupReport'];

function ReportView({ report }: { report: Report }) {
  return (
    <dl className="facts" aria-label={report.dryRun ? 'Dry run' : 'Cleanup'}>
      <dt>Log lines</dt>
      <dd>
        {report.logLines.deleted} {report.dryRun ? 'would be' : 'were'} deleted (older than <Time iso={report.logLines.before} />)
      </dd>
      <dt>Audit</dt>
      <dd>
        {report.audit.events} events of {report.audit.chains} chains {report.dryRun ? 'would be' : 'were'} purged (older than{' '}
        <Time iso={report.audit.before} />)
      </dd>
      <dt>Trigger fires</dt>
      <dd>
        {report.triggerFires.deleted} {report.dryRun ? 'would be' : 'were'} deleted (recorded before{' '}
        <Time iso={report.triggerFires.before} />)
      </dd>
    </dl>
  );
}

/** Retention: the policy, the sizes, and a cleanup that always shows its dry run first. */
export function AdminRetention() {
  const queries = useQueryClient();
  const stats = useQuery({ queryKey: ['admin', 'retention'], queryFn: () => unwrap(api.GET('/v1/admin/retention/stats')) });
  const [days, setDays] = useState('');
  const [preview, setPreview] = useState<Report | null>(null);
  const [result, setResult] = useState<Report | null>(null);
  const body = (dryRun: boolean) => ({ dryRun, ...(days ? { olderThanDays: Number(days) } : {}) });
  const dry = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/admin/retention/cleanup', { body: body(true) })),
    onSuccess: (r) => {
      setResult(null);
      setPreview(r);
    },
  });
  const run = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/admin/retention/cleanup', { body: body(false) })),
    onSuccess: async (r) => {
      setPreview(null);
      setResult(r);
      await queries.invalidateQueries({ queryKey: ['admin', 'retention'] });
    },
  });
  if (stats.isPending) return <Loading what="the retention statistics" />;
  if (stats.error) return <ErrorNote error={stats.error} />;
  const s = stats.data;
  return (
    <>
      <h2>Policy</h2>
      <dl className="facts">
        <dt>Log lines</dt>
        <dd>kept {s.policy.logDays} days</dd>
        <dt>Audit events</dt>
        <dd>kept {s.policy.auditDays} days</dd>
        <dt>Records</dt>
        <dd>{s.policy.recordDays ? `kept ${s.policy.recordDays} days` : 'kept indefinitely'}</dd>
        <dt>Oldest execution</dt>
        <dd>
          <Time iso={s.oldest.execution} />
        </dd>
        <dt>Oldest log line</dt>
        <dd>
          <Time iso={s.oldest.logLine} />
        </dd>
        <dt>Oldest audit event</dt>
        <dd>
          <Time iso={s.oldest.auditEvent} />
        </dd>
      </dl>
      <h2>Sizes</h2>
      <table className="table compact fit" aria-label="Tables">
        <thead>
          <tr>
            <th scope="col">Table</th>
            <th scope="col">Rows</th>
          </tr>
        </thead>
        <tbody>
          {s.tables.map((t) => (
            <tr key={t.table}>
              <td className="mono">{t.table}</td>
              <td>{t.rows.toLocaleString('en')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Cleanup</h2>
      <div className="toolbar">
        <div className="field">
          <label htmlFor="ret-days">Older than (days; empty: the policy)</label>
          <input id="ret-days" type="number" min={1} className="narrow" value={days} onChange={(e) => setDays(e.target.value)} />
        </div>
        <button type="button" onClick={() => dry.mutate()} disabled={dry.isPending}>
          Preview (dry run)
        </button>
      </div>
      <ErrorNote error={dry.error} />
      {result && (
        <div role="status">
          <p>Cleanup done.</p>
          <ReportView report={result} />
        </div>
      )}
      <ConfirmDialog
        open={preview !== null}
        title="Run this cleanup?"
        confirmLabel="Delete now"
        danger
        busy={run.isPending}
        onConfirm={() => run.mutate()}
        onCancel={() => setPreview(null)}
      >
        {preview && <ReportView report={preview} />}
        <p className="muted small">This is what the dry run found. Deleting is audited and cannot be undone.</p>
        <ErrorNote error={run.error} />
      </ConfirmDialog>
    </>
  );
}
