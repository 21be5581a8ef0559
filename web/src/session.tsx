import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, onSessionEnded, setCsrfToken, unwrap, type Schemas } from './api/client.ts';
import { navigate } from './router.tsx';

type User = Schemas['UserView'];

interface SessionValue {
  state: 'loading' | 'signed-in' | 'signed-out';
  user: User | null;
  signIn: (username: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

/** `/login?next=<where the person was>`: after signing in they come back there. */
export function loginPath(): string {
  const here = window.location.pathname + window.location.search + window.location.hash;
  return here.startsWith('/login') ? here : `/login?next=${encodeURIComponent(here)}`;
}

/** The browser session: who is signed in, the CSRF token (in memory only), sign in and out. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionValue['state']>('loading');
  const [user, setUser] = useState<User | null>(null);
  const queries = useQueryClient();

  const ended = useCallback(() => {
    setCsrfToken(null);
    setUser(null);
    setState('signed-out');
    queries.clear();
  }, [queries]);

  useEffect(() => {
    onSessionEnded(() => {
      ended();
      navigate(loginPath(), { replace: true });
    });
    api
      .GET('/v1/auth/session')
      .then(({ data }) => {
        if (data) {
          setCsrfToken(data.csrfToken);
          setUser(data.user);
          setState('signed-in');
        } else ended();
      })
      .catch(() => ended());
  }, [ended]);

  const value = useMemo<SessionValue>(
    () => ({
      state,
      user,
      async signIn(username, password) {
        const data = await unwrap(api.POST('/v1/auth/session', { body: { username, password } }));
        setCsrfToken(data.csrfToken);
        setUser(data.user);
        setState('signed-in');
      },
      async signOut() {
        await unwrap(api.DELETE('/v1/auth/session')).catch(() => undefined);
        ended();
        navigate('/login', { replace: true });
      },
    }),
    [state, user, ended],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
