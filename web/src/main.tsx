import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { AdminPage } from './admin/admin-page.tsx';
import { ApiProblem } from './api/client.ts';
import { Layout } from './components/layout.tsx';
import { matchRoute } from './lib/routes.ts';
import { ExecutionPage } from './pages/execution-page.tsx';
import { ExecutionsPage } from './pages/executions-page.tsx';
import { LoginPage } from './pages/login-page.tsx';
import { ProceduresPage } from './pages/procedures-page.tsx';
import { RecordsPage } from './pages/records-page.tsx';
import { RunPage } from './pages/run-page.tsx';
import { WorkflowPage } from './pages/workflow-page.tsx';
import { WorkflowsPage } from './pages/workflows-page.tsx';
import { PrefsProvider } from './prefs.tsx';
import { Link, navigate, useLocation } from './router.tsx';
import { SessionProvider, loginPath, useSession } from './session.tsx';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // a 4xx will not change by asking again
      retry: (count, error) => !(error instanceof ApiProblem && error.status >= 400 && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

const TITLES: Record<string, string> = {
  login: 'Sign in',
  executions: 'Executions',
  execution: 'Execution',
  records: 'Records',
  admin: 'Administration',
  procedures: 'Procedures',
  start: 'Start a procedure',
  workflows: 'Workflows',
  workflow: 'Workflow',
  run: 'Run a workflow',
  'not-found': 'Not found',
};

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function Pages() {
  const { pathname } = useLocation();
  const session = useSession();
  const route = matchRoute(pathname);
  useEffect(() => {
    document.title = `${TITLES[route.name] ?? 'Runledger'} · Runledger`;
  }, [route.name]);
  if (session.state === 'loading')
    return (
      <p className="muted" role="status">
        Loading…
      </p>
    );
  if (route.name === 'login') return session.state === 'signed-in' ? <Redirect to="/executions" /> : <LoginPage />;
  if (session.state === 'signed-out') return <Redirect to={loginPath()} />;
  let page;
  switch (route.name) {
    case 'home':
      return <Redirect to="/executions" />;
    case 'executions':
      page = <ExecutionsPage />;
      break;
    case 'execution':
      page = <ExecutionPage key={route.id} id={route.id} tab={route.tab} />;
      break;
    case 'procedures':
      page = <ProceduresPage />;
      break;
    case 'start':
      page = <RunPage key={`start-${route.id}`} id={route.id} procedure />;
      break;
    case 'admin':
      page = <AdminPage section={route.section} />;
      break;
    case 'records':
      page = <RecordsPage />;
      break;
    case 'workflows':
      page = <WorkflowsPage />;
      break;
    case 'workflow':
      page = <WorkflowPage key={route.id} id={route.id} />;
      break;
    case 'run':
      page = <RunPage key={route.id} id={route.id} />;
      break;
    default:
      page = (
        <section>
          <h1>Not found</h1>
          <p>
            There is no page at <code>{pathname}</code>. <Link to="/executions">Go to the executions.</Link>
          </p>
        </section>
      );
  }
  return <Layout>{page}</Layout>;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <PrefsProvider>
        <SessionProvider>
          <Pages />
        </SessionProvider>
      </PrefsProvider>
    </QueryClientProvider>
  </StrictMode>,
);
