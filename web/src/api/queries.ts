import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client.ts';

/** Query keys: one factory, so mutations invalidate exactly what they change. */
export const keys = {
  executions: (query: Record<string, string>) => ['executions', query] as const,
  executionCount: (query: Record<string, string>) => ['executions', 'count', query] as const,
  execution: (id: string) => ['execution', id] as const,
  audit: (id: string) => ['execution', id, 'audit'] as const,
  stepAudit: (id: string) => ['execution', id, 'step-audit'] as const,
  logSummary: (id: string) => ['execution', id, 'log-summary'] as const,
  document: (id: string) => ['execution', id, 'document'] as const,
  attachments: (id: string) => ['execution', id, 'attachments'] as const,
  shares: (id: string) => ['execution', id, 'shares'] as const,
  attachmentLimits: () => ['attachments-limits'] as const,
  workflows: () => ['workflows'] as const,
  workflow: (id: string) => ['workflow', id] as const,
  schedules: (workflowId: string) => ['schedules', workflowId] as const,
  versions: (id: string) => ['workflow', id, 'versions'] as const,
  version: (id: string, version: number) => ['workflow', id, 'version', version] as const,
};

export function useExecutions(query: Record<string, string>) {
  return useQuery({
    queryKey: keys.executions(query),
    queryFn: () => unwrap(api.GET('/v1/executions', { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

export function useExecutionCount(query: Record<string, string>) {
  return useQuery({
    queryKey: keys.executionCount(query),
    queryFn: () => unwrap(api.GET('/v1/executions/count', { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

/** An execution; polled while it runs so the views follow it. */
export function useExecution(id: string) {
  return useQuery({
    queryKey: keys.execution(id),
    queryFn: () => unwrap(api.GET('/v1/executions/{id}', { params: { path: { id } } })),
    refetchInterval: (q) => (q.state.data && ['pending', 'running', 'waiting'].includes(q.state.data.status) ? 2000 : false),
  });
}

export function useWorkflows() {
  return useQuery({ queryKey: keys.workflows(), queryFn: () => unwrap(api.GET('/v1/workflows')), staleTime: 30_000 });
}

export function useWorkflow(id: string) {
  return useQuery({ queryKey: keys.workflow(id), queryFn: () => unwrap(api.GET('/v1/workflows/{id}', { params: { path: { id } } })) });
}

/** A workflow's schedule triggers: their next run times and last fire. */
export function useSchedules(workflowId: string) {
  return useQuery({
    queryKey: keys.schedules(workflowId),
    queryFn: () => unwrap(api.GET('/v1/schedules', { params: { query: { workflow: workflowId } } })),
  });
}

export function useWorkflowVersions(id: string) {
  return useQuery({
    queryKey: keys.versions(id),
    queryFn: () => unwrap(api.GET('/v1/workflows/{id}/versions', { params: { path: { id } } })),
  });
}

export function useWorkflowVersion(id: string, version: number | undefined) {
  return useQuery({
    queryKey: keys.version(id, version ?? 0),
    enabled: version !== undefined,
    queryFn: () => unwrap(api.GET('/v1/workflows/{id}/versions/{version}', { params: { path: { id, version: version! } } })),
    staleTime: Infinity,
  });
}

const OPEN = new Set(['pending', 'running', 'waiting']);

/** The procedure document with the record's values (the server's sanitised HTML). */
export function useExecutionDocument(id: string) {
  return useQuery({
    queryKey: keys.document(id),
    queryFn: () => unwrap(api.GET('/v1/executions/{id}/document', { params: { path: { id } } })),
    staleTime: Infinity,
  });
}

/**
 * The record's evidence; polled while the record is open, so files added in another browser
 * appear, and while a thumbnail is being made.
 */
export function useAttachments(id: string, status: string | undefined) {
  return useQuery({
    queryKey: keys.attachments(id),
    queryFn: () => unwrap(api.GET('/v1/executions/{id}/attachments', { params: { path: { id } } })),
    refetchInterval: (q) =>
      (status && OPEN.has(status)) || q.state.data?.items.some((a) => a.thumbnailStatus === 'pending') ? 2000 : false,
  });
}

export function useAttachmentLimits() {
  return useQuery({
    queryKey: keys.attachmentLimits(),
    queryFn: () => unwrap(api.GET('/v1/attachments-limits')),
    staleTime: Infinity,
  });
}
