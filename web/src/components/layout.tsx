import type { ReactNode } from 'react';
import { usePrefs, useResolvedTheme } from '../prefs.tsx';
import { Link, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';

export function Layout({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  const session = useSession();
  const { prefs, setPrefs } = usePrefs();
  const theme = useResolvedTheme();
  const current = (prefix: string) => (pathname.startsWith(prefix) ? 'page' : undefined);
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/executions" className="brand">
          Runledger
        </Link>
        <nav aria-label="Main">
          <Link to="/executions" aria-current={current('/executions')}>
            Executions
          </Link>
          <Link to="/procedures" aria-current={current('/procedures')}>
            Procedures
          </Link>
          <Link to="/records" aria-current={current('/records')}>
            Records
          </Link>
          <Link to="/workflows" aria-current={current('/workflows')}>
            Workflows
          </Link>
          {session.user?.role === 'admin' && (
            <Link to="/admin/users" aria-current={current('/admin')}>
              Administration
            </Link>
          )}
        </nav>
        <div className="topbar-tools">
          <label htmlFor="pref-zone" className="visually-hidden">
            Time zone
          </label>
          <select
            id="pref-zone"
            value={prefs.timeZone}
            onChange={(e) => setPrefs({ timeZone: e.target.value === 'utc' ? 'utc' : 'local' })}
          >
            <option value="local">Local time</option>
            <option value="utc">UTC</option>
          </select>
          <button
            type="button"
            aria-pressed={theme === 'dark'}
            onClick={() => setPrefs({ theme: theme === 'dark' ? 'light' : 'dark' })}
            title="Dark mode follows the system until you choose"
          >
            Dark mode
          </button>
          <span className="muted" aria-label="Signed in as">
            {session.user?.username}
          </span>
          <button type="button" onClick={() => void session.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
