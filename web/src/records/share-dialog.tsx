import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import { ErrorNote, Loading } from '../components/common.tsx';

type UserRef = Schemas['UserRef'];
type GroupRef = Schemas['GroupRef'];

/** What the search field has settled on: a request per pause in typing, not per key. */
function useSettled(text: string, ms = 250): string {
  const [settled, setSettled] = useState(text);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(text), ms);
    return () => clearTimeout(timer);
  }, [text, ms]);
  return settled;
}

function Editor({ executionId, owner, onDone }: { executionId: string; owner: string | null; onDone: (message: string) => void }) {
  const queries = useQueryClient();
  const shares = useQuery({
    queryKey: keys.shares(executionId),
    queryFn: () => unwrap(api.GET('/v1/executions/{id}/shares', { params: { path: { id: executionId } } })),
  });
  const [users, setUsers] = useState<UserRef[] | null>(null);
  const [groups, setGroups] = useState<GroupRef[] | null>(null);
  const [text, setText] = useState('');
  const q = useSettled(text.trim());
  const found = useQuery({
    queryKey: ['directory', q],
    enabled: q.length > 0,
    queryFn: () => unwrap(api.GET('/v1/directory', { params: { query: { q } } })),
  });
  const save = useMutation({
    mutationFn: (body: { scope: 'private' | 'shared'; users: string[]; groups: string[] }) =>
      unwrap(api.PUT('/v1/executions/{id}/shares', { params: { path: { id: executionId } }, body })),
    onSuccess: async (data) => {
      queries.setQueryData(keys.shares(executionId), data);
      await queries.invalidateQueries({ queryKey: keys.execution(executionId) });
      onDone(data.scope === 'shared' ? 'Shared (read only).' : 'Private: only the executor and administrators see it.');
    },
  });
  if (shares.isPending) return <Loading what="who has access" />;
  if (shares.error) return <ErrorNote error={shares.error} />;
  const currentUsers = users ?? shares.data.users;
  const currentGroups = groups ?? shares.data.groups;
  const hasUser = (id: string) => currentUsers.some((u) => u.id === id);
  const hasGroup = (id: string) => currentGroups.some((g) => g.id === id);
  const submit = () => {
    const shared = currentUsers.length + currentGroups.length > 0;
    save.mutate({ scope: shared ? 'shared' : 'private', users: currentUsers.map((u) => u.id), groups: currentGroups.map((g) => g.id) });
  };
  return (
    <>
      <h3 id="share-now">Who has access</h3>
      <ul className="access-list" aria-labelledby="share-now">
        <li>
          <span>{owner ?? 'The executor'}</span> <span className="muted small">executor, can change it</span>
        </li>
        <li>
          <span>Administrators</span> <span className="muted small">can change it</span>
        </li>
        {currentUsers.map((u) => (
          <li key={u.id}>
            <span>{u.username}</span> <span className="muted small">user, read only</span>
            <button
              type="button"
              className="danger-outline"
              onClick={() => setUsers(currentUsers.filter((x) => x.id !== u.id))}
              aria-label={`Remove user ${u.username}`}
            >
              Remove
            </button>
          </li>
        ))}
        {currentGroups.map((g) => (
          <li key={g.id}>
            <span>{g.name}</span> <span className="muted small">group, read only</span>
            <button
              type="button"
              className="danger-outline"
              onClick={() => setGroups(currentGroups.filter((x) => x.id !== g.id))}
              aria-label={`Remove group ${g.name}`}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <div className="field">
        <label htmlFor="share-search">Search users and groups</label>
        <input
          id="share-search"
          type="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="a name, or part of one"
          autoComplete="off"
        />
      </div>
      {q.length > 0 && found.data && (
        <ul className="access-list" aria-label="Search results">
          {found.data.users.length + found.data.groups.length === 0 && <li className="muted">Nobody matches “{q}”.</li>}
          {found.data.users.map((u) => (
            <li key={u.id}>
              <span>{u.username}</span> <span className="muted small">user</span>
              <button
                type="button"
                disabled={hasUser(u.id)}
                onClick={() => setUsers([...currentUsers, u])}
                aria-label={`Add user ${u.username}`}
              >
                {hasUser(u.id) ? 'Added' : 'Add'}
              </button>
            </li>
          ))}
          {found.data.groups.map((g) => (
            <li key={g.id}>
              <span>{g.name}</span> <span className="muted small">group</span>
              <button
                type="button"
                disabled={hasGroup(g.id)}
                onClick={() => setGroups([...currentGroups, g])}
                aria-label={`Add group ${g.name}`}
              >
                {hasGroup(g.id) ? 'Added' : 'Add'}
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorNote error={found.error ?? save.error} />
      <p className="muted small">
        Those you share with can read the record, its document and its evidence; they cannot change it. Sharing is audited.
      </p>
      <div className="dialog-actions">
        <button type="button" onClick={() => onDone('')}>
          Cancel
        </button>
        <button type="button" className="primary" onClick={submit} disabled={save.isPending}>
          Save
        </button>
      </div>
    </>
  );
}

/** "Share": a dialog to see who has access, search users and groups, add or remove them, and save. */
export function ShareButton({ executionId, owner }: { executionId: string; owner: string | null }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const [message, setMessage] = useState('');
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <>
      <button
        type="button"
        onClick={() => {
          setMessage('');
          setOpen(true);
        }}
      >
        Share
      </button>
      {message && (
        <span className="muted small" role="status">
          {message}
        </span>
      )}
      <dialog ref={ref} className="dialog share-dialog" aria-labelledby={titleId} onClose={() => setOpen(false)}>
        <h2 id={titleId}>Share this record</h2>
        {open && (
          <Editor
            executionId={executionId}
            owner={owner}
            onDone={(m) => {
              setMessage(m);
              setOpen(false);
            }}
          />
        )}
      </dialog>
    </>
  );
}
