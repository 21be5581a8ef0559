import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { ErrorNote, Loading, Time } from '../components/common.tsx';

/** Audit: verify every chain now, the latest signed checkpoint (or a new one), and the export. */
export function AdminAudit() {
  const queries = useQueryClient();
  const verify = useMutation({ mutationFn: () => unwrap(api.GET('/v1/audit/verify')) });
  const latest = useQuery({ queryKey: ['admin', 'checkpoint'], queryFn: () => unwrap(api.GET('/v1/audit/checkpoints/latest')) });
  const write = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/audit/checkpoints')),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['admin', 'checkpoint'] }),
  });
  const v = verify.data;
  return (
    <>
      <h2>Verify</h2>
      <p>
        <button type="button" className="primary" onClick={() => verify.mutate()} disabled={verify.isPending}>
          {verify.isPending ? 'Verifying…' : 'Verify now'}
        </button>
      </p>
      {v && (
        <div role="status">
          <p className={`verify-badge ${v.ok ? 'ok' : 'broken'}`}>
            {v.ok ? `Verified: ${v.chains} chains, ${v.events} events, ${v.checkpoints} checkpoints` : 'Verification FAILED'}
          </p>
          {v.problems.length > 0 && (
            <ul className="error">
              {v.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <ErrorNote error={verify.error} />
      <h2>Checkpoints</h2>
      {latest.isPending ? (
        <Loading what="the latest checkpoint" />
      ) : latest.data ? (
        <dl className="facts" aria-label="Latest checkpoint">
          <dt>Latest</dt>
          <dd>
            checkpoint {latest.data.seq} · <Time iso={latest.data.createdAt} /> · {latest.data.reason}
          </dd>
          <dt>Chains</dt>
          <dd>{latest.data.heads.length}</dd>
          <dt>Signed by key</dt>
          <dd className="mono">{latest.data.keyId}</dd>
          <dt>Hash</dt>
          <dd className="mono hash">{latest.data.hash}</dd>
        </dl>
      ) : null}
      <ErrorNote error={latest.error ?? write.error} />
      <p className="inline">
        <button type="button" onClick={() => write.mutate()} disabled={write.isPending}>
          Write a checkpoint now
        </button>
        <a className="button-link" href="/v1/audit/checkpoints/latest" download="runledger-checkpoint.json">
          Download the latest checkpoint
        </a>
        <a className="button-link" href="/v1/audit/export" download="runledger-audit.ndjson">
          Export the whole trail (NDJSON)
        </a>
      </p>
    </>
  );
}

/** Attachments: storage and records agree (nothing missing, altered or without a record). */
export function AdminAttachments() {
  const check = useMutation({ mutationFn: () => unwrap(api.GET('/v1/admin/attachments/check')) });
  const c = check.data;
  return (
    <>
      <p>
        <button type="button" className="primary" onClick={() => check.mutate()} disabled={check.isPending}>
          {check.isPending ? 'Checking…' : 'Check attachments'}
        </button>
      </p>
      <ErrorNote error={check.error} />
      {c && (
        <div role="status">
          <p className={`verify-badge ${c.ok ? 'ok' : 'broken'}`}>
            {c.ok ? `All ${c.checked} attachments are stored unchanged` : `Problems among ${c.checked} attachments`}
          </p>
          {c.missing.length > 0 && (
            <>
              <h3>Missing from storage</h3>
              <ul>
                {c.missing.map((a) => (
                  <li key={a.id}>
                    {a.fileName} <span className="mono small">{a.id}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
          {c.altered.length > 0 && (
            <>
              <h3>Altered since upload</h3>
              <ul>
                {c.altered.map((a) => (
                  <li key={a.id}>
                    {a.fileName} <span className="mono small">{a.id}</span>: sha256 {a.actualSha256.slice(0, 16)}…, recorded{' '}
                    {a.expectedSha256.slice(0, 16)}…
                  </li>
                ))}
              </ul>
            </>
          )}
          {c.orphans.length > 0 && (
            <>
              <h3>In storage without a record</h3>
              <ul>
                {c.orphans.map((key) => (
                  <li key={key} className="mono small">
                    {key}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </>
  );
}
