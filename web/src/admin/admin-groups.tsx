import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client.ts';
import { ErrorNote, Loading } from '../components/common.tsx';

const GROUPS = ['admin', 'groups'] as const;

/** Groups and their members: create, delete, add and remove members. */
export function AdminGroups() {
  const queries = useQueryClient();
  const groups = useQuery({ queryKey: GROUPS, queryFn: () => unwrap(api.GET('/v1/admin/groups')) });
  const users = useQuery({ queryKey: ['admin', 'users'], queryFn: () => unwrap(api.GET('/v1/admin/users')) });
  const [name, setName] = useState('');
  const [adding, setAdding] = useState<Record<string, string>>({});
  const refresh = () => queries.invalidateQueries({ queryKey: GROUPS });
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/admin/groups', { body: { name } })),
    onSuccess: async () => {
      setName('');
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/admin/groups/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const addMember = useMutation({
    mutationFn: ({ id, userId }: { id: string; userId: string }) =>
      unwrap(api.PUT('/v1/admin/groups/{id}/members/{userId}', { params: { path: { id, userId } } })),
    onSuccess: refresh,
  });
  const removeMember = useMutation({
    mutationFn: ({ id, userId }: { id: string; userId: string }) =>
      unwrap(api.DELETE('/v1/admin/groups/{id}/members/{userId}', { params: { path: { id, userId } } })),
    onSuccess: refresh,
  });
  if (groups.isPending) return <Loading what="the groups" />;
  if (groups.error) return <ErrorNote error={groups.error} />;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <>
      <form className="toolbar" onSubmit={submit} aria-label="Create a group">
        <div className="field">
          <label htmlFor="g-name">Group name</label>
          <input id="g-name" value={name} onChange={(e) => setName(e.target.value)} required />
        </div>
        <button type="submit" className="primary" disabled={!name || create.isPending}>
          Create group
        </button>
        <ErrorNote error={create.error} />
      </form>
      <ErrorNote error={remove.error ?? addMember.error ?? removeMember.error} />
      {groups.data.items.length === 0 && <p className="muted">No groups yet.</p>}
      <ul className="group-list">
        {groups.data.items.map((g) => {
          const candidates = (users.data?.items ?? []).filter((u) => !u.disabledAt && !g.members.some((m) => m.id === u.id));
          return (
            <li key={g.id} className="pane">
              <div className="step-head">
                <h3 className="step-title">{g.name}</h3>
                <button type="button" className="danger-outline" onClick={() => remove.mutate(g.id)} aria-label={`Delete group ${g.name}`}>
                  Delete group
                </button>
              </div>
              <ul className="access-list" aria-label={`Members of ${g.name}`}>
                {g.members.length === 0 && <li className="muted">No members.</li>}
                {g.members.map((m) => (
                  <li key={m.id}>
                    <span>{m.username}</span>
                    <button
                      type="button"
                      onClick={() => removeMember.mutate({ id: g.id, userId: m.id })}
                      aria-label={`Remove ${m.username} from ${g.name}`}
                    >
                      Remove
                    </button>
                  </li>
                ))}
              </ul>
              <div className="inline">
                <label htmlFor={`add-${g.id}`} className="visually-hidden">
                  Add a member to {g.name}
                </label>
                <select id={`add-${g.id}`} value={adding[g.id] ?? ''} onChange={(e) => setAdding({ ...adding, [g.id]: e.target.value })}>
                  <option value="">Choose a user…</option>
                  {candidates.map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.username}
                    </option>
                  ))}
                </select>
                <button
                  type="button"
                  aria-label={`Add member to ${g.name}`}
                  disabled={!adding[g.id]}
                  onClick={() => {
                    addMember.mutate({ id: g.id, userId: adding[g.id]! });
                    setAdding({ ...adding, [g.id]: '' });
                  }}
                >
                  Add member
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </>
  );
}
