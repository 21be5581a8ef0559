import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api/client.ts';
import { ErrorNote, Loading, Time } from '../components/common.tsx';
import { Link } from '../router.tsx';

/** Whether a procedure matches what was typed: in its name, id or description, any case. */
export function procedureMatches(p: { id: string; name: string; description: string | null }, text: string): boolean {
  const needle = text.trim().toLowerCase();
  return needle === '' || [p.name, p.id, p.description ?? ''].some((s) => s.toLowerCase().includes(needle));
}

/** The procedures (workflows with a document or manual steps), searchable, each with "Start execution". */
export function ProceduresPage() {
  const list = useQuery({ queryKey: ['procedures'], queryFn: () => unwrap(api.GET('/v1/procedures')), staleTime: 30_000 });
  const [text, setText] = useState('');
  if (list.isPending) return <Loading what="the procedures" />;
  if (list.error) return <ErrorNote error={list.error} />;
  const items = list.data.items.filter((p) => procedureMatches(p, text));
  return (
    <section aria-labelledby="procedures-title">
      <div className="page-head">
        <h1 id="procedures-title">Procedures</h1>
      </div>
      <div className="search-bar" role="search">
        <label htmlFor="p-search" className="visually-hidden">
          Search procedures
        </label>
        <input id="p-search" type="search" value={text} placeholder="Search procedures by name" onChange={(e) => setText(e.target.value)} />
      </div>
      {items.length === 0 ? (
        <p className="muted">
          {list.data.items.length === 0 ? 'No procedure yet: a workflow with a document or manual steps is one.' : 'No procedure matches.'}
        </p>
      ) : (
        <table className="table" aria-label="Procedures">
          <thead>
            <tr>
              <th scope="col">Procedure</th>
              <th scope="col">Steps</th>
              <th scope="col">Variables</th>
              <th scope="col">Version</th>
              <th scope="col">Updated</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((p) => (
              <tr key={p.id}>
                <td>
                  <strong>{p.name}</strong> <span className="muted mono small">{p.id}</span>
                  {p.description && <p className="muted small procedure-description">{p.description}</p>}
                </td>
                <td>
                  {p.manualSteps} manual{p.steps > p.manualSteps ? `, ${p.steps - p.manualSteps} automated` : ''}
                  {p.hasDocument ? '' : <span className="muted"> · no document</span>}
                </td>
                <td>{p.inputs}</td>
                <td>{p.latestVersion}</td>
                <td>
                  <Time iso={p.updatedAt} />
                </td>
                <td className="row-actions">
                  <Link to={`/procedures/${p.id}/start`} className="button-link primary" aria-label={`Start execution of ${p.name}`}>
                    Start execution
                  </Link>
                  <Link to={`/workflows/${p.id}`} className="button-link" aria-label={`Definition of ${p.name}`}>
                    Definition
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
