/** The app's URLs: every view has its own, so any view is a link. Pure. */
export const EXECUTION_TABS = ['overview', 'tasks', 'timeline', 'graph', 'logs', 'audit'] as const;
export type ExecutionTab = (typeof EXECUTION_TABS)[number];

export type Route =
  | { name: 'home' }
  | { name: 'login' }
  | { name: 'executions' }
  | { name: 'execution'; id: string; tab: ExecutionTab }
  | { name: 'records' }
  | { name: 'admin'; section: 'users' | 'groups' | 'retention' | 'audit' | 'attachments' }
  | { name: 'procedures' }
  | { name: 'start'; id: string }
  | { name: 'workflows' }
  | { name: 'workflow'; id: string }
  | { name: 'run'; id: string }
  | { name: 'not-found' };

const UUID = '[0-9a-fA-F-]{36}';
const WORKFLOW = '[a-z][a-z0-9_]*';

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { name: 'home' };
  if (path === '/login') return { name: 'login' };
  if (path === '/executions') return { name: 'executions' };
  const execution = new RegExp(`^/executions/(${UUID})(?:/(tasks|timeline|graph|logs|audit))?$`).exec(path);
  if (execution)
    return { name: 'execution', id: execution[1]!.toLowerCase(), tab: (execution[2] as ExecutionTab | undefined) ?? 'overview' };
  if (path === '/records') return { name: 'records' };
  if (path === '/admin') return { name: 'admin', section: 'users' };
  const admin = /^\/admin\/(users|groups|retention|audit|attachments)$/.exec(path);
  if (admin) return { name: 'admin', section: admin[1] as 'users' | 'groups' | 'retention' | 'audit' | 'attachments' };
  if (path === '/procedures') return { name: 'procedures' };
  const start = new RegExp(`^/procedures/(${WORKFLOW})/start$`).exec(path);
  if (start) return { name: 'start', id: start[1]! };
  if (path === '/workflows') return { name: 'workflows' };
  const workflow = new RegExp(`^/workflows/(${WORKFLOW})(/run)?$`).exec(path);
  if (workflow) return workflow[2] ? { name: 'run', id: workflow[1]! } : { name: 'workflow', id: workflow[1]! };
  return { name: 'not-found' };
}
