import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { ConfirmDialog, ErrorNote, Loading, Time } from '../components/common.tsx';

type User = Schemas['UserDetail'];
const USERS = ['admin', 'users'] as const;

function CreateUser() {
  const queries = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<'member' | 'admin'>('member');
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/admin/users', { body: { username, password, role, canEditWorkflows: false } })),
    onSuccess: async () => {
      setUsername('');
      setPassword('');
      await queries.invalidateQueries({ queryKey: USERS });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form className="toolbar" onSubmit={submit} aria-label="Create a user">
      <div className="field">
        <label htmlFor="u-name">Username</label>
        <input id="u-name" value={username} onChange={(e) => setUsername(e.target.value)} required autoComplete="off" />
      </div>
      <div className="field">
        <label htmlFor="u-password">Password</label>
        <input
          id="u-password"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
          autoComplete="new-password"
        />
      </div>
      <div className="field">
        <label htmlFor="u-role">Role</label>
        <select id="u-role" value={role} onChange={(e) => setRole(e.target.value === 'admin' ? 'admin' : 'member')}>
          <option value="member">member</option>
          <option value="admin">admin</option>
        </select>
      </div>
      <button type="submit" className="primary" disabled={create.isPending || !username || !password}>
        Create user
      </button>
      <ErrorNote error={create.error} />
    </form>
  );
}

/** Users: create, change role, disable or enable, reset a password (which ends that user's sessions and tokens). */
export function AdminUsers() {
  const queries = useQueryClient();
  const list = useQuery({ queryKey: USERS, queryFn: () => unwrap(api.GET('/v1/admin/users')) });
  const [resetting, setResetting] = useState<User | null>(null);
  const [newPassword, setNewPassword] = useState('');
  const [done, setDone] = useState('');
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: { role?: 'admin' | 'member'; disabled?: boolean; password?: string } }) =>
      unwrap(api.PATCH('/v1/admin/users/{id}', { params: { path: { id } }, body })),
    onSuccess: async (user, { body }) => {
      setResetting(null);
      setNewPassword('');
      setDone(
        body.password !== undefined
          ? `${user.username}: password reset; their sessions and API tokens were ended.`
          : body.disabled !== undefined
            ? `${user.username}: ${body.disabled ? 'disabled' : 'enabled'}.`
            : `${user.username}: now ${user.role}.`,
      );
      await queries.invalidateQueries({ queryKey: USERS });
    },
  });
  if (list.isPending) return <Loading what="the users" />;
  if (list.error) return <ErrorNote error={list.error} />;
  return (
    <>
      <CreateUser />
      {done && (
        <p className="muted" role="status">
          {done}
        </p>
      )}
      <ErrorNote error={resetting ? null : update.error} />
      <table className="table" aria-label="Users">
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Role</th>
            <th scope="col">State</th>
            <th scope="col">Created</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.data.items.map((u) => (
            <tr key={u.id}>
              <td>{u.username}</td>
              <td>
                <label className="visually-hidden" htmlFor={`role-${u.id}`}>
                  Role of {u.username}
                </label>
                <select
                  id={`role-${u.id}`}
                  value={u.role}
                  onChange={(e) => update.mutate({ id: u.id, body: { role: e.target.value === 'admin' ? 'admin' : 'member' } })}
                >
                  <option value="member">member</option>
                  <option value="admin">admin</option>
                </select>
              </td>
              <td>{u.disabledAt ? <span className="badge status-cancelled">disabled</span> : 'active'}</td>
              <td>
                <Time iso={u.createdAt} />
              </td>
              <td className="row-actions">
                <button
                  type="button"
                  onClick={() => update.mutate({ id: u.id, body: { disabled: !u.disabledAt } })}
                  aria-label={`${u.disabledAt ? 'Enable' : 'Disable'} ${u.username}`}
                >
                  {u.disabledAt ? 'Enable' : 'Disable'}
                </button>
                <button type="button" onClick={() => setResetting(u)} aria-label={`Reset password of ${u.username}`}>
                  Reset password
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ConfirmDialog
        open={resetting !== null}
        title={`Reset the password of ${resetting?.username ?? ''}?`}
        confirmLabel="Reset password"
        danger
        busy={update.isPending || newPassword.length === 0}
        onConfirm={() => resetting && update.mutate({ id: resetting.id, body: { password: newPassword } })}
        onCancel={() => {
          setResetting(null);
          update.reset();
        }}
      >
        <div className="field">
          <label htmlFor="reset-password">New password</label>
          <input
            id="reset-password"
            type="password"
            autoComplete="new-password"
            value={newPassword}
            onChange={(e) => setNewPassword(e.target.value)}
          />
        </div>
        <p className="muted small">Their browser sessions, sign-in tokens and API tokens stop working at once. This is audited.</p>
        <ErrorNote error={update.error} />
      </ConfirmDialog>
    </>
  );
}
