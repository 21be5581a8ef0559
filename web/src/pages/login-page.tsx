import { useState, type FormEvent } from 'react';
import { ApiProblem } from '../api/client.ts';
import { navigate, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';

/** Only paths of this app: `next` can never send the person to another site. */
function safeNext(search: string): string {
  const next = new URLSearchParams(search).get('next') ?? '/executions';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/executions';
}

export function LoginPage() {
  const session = useSession();
  const { search } = useLocation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const expired = new URLSearchParams(search).has('next');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await session.signIn(username, password);
      navigate(safeNext(search), { replace: true });
    } catch (err: unknown) {
      setError(
        err instanceof ApiProblem && err.code === 'INVALID_CREDENTIALS'
          ? 'Wrong username or password.'
          : err instanceof Error
            ? err.message
            : String(err),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="login-card" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <h1 id="login-title">Sign in to Runledger</h1>
        {expired && session.state !== 'signed-in' && <p className="muted">Sign in to continue where you were.</p>}
        <label htmlFor="login-username">Username</label>
        <input
          id="login-username"
          name="username"
          autoComplete="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          required
          autoFocus
        />
        <label htmlFor="login-password">Password</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
