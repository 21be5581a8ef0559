import type { ExecutionFilters, LogFilter } from './types.ts';

/** The query string of `GET /v1/executions` for these filters (`input.<name>` for each input filter). */
export function filterQuery(filters: ExecutionFilters): Record<string, string | number | undefined> {
  const query: Record<string, string | number | undefined> = {
    status: filters.status && filters.status.length > 0 ? filters.status.join(',') : undefined,
    workflow: filters.workflow,
    triggeredBy: filters.triggeredBy,
    procedure: filters.procedure,
    executor: filters.executor,
    deleted: filters.deleted ? 'true' : undefined,
    from: filters.from,
    to: filters.to,
    keyword: filters.keyword,
    cursor: filters.cursor,
    limit: filters.limit,
  };
  for (const [name, value] of Object.entries(filters.inputs ?? {})) query[`input.${name}`] = value;
  return query;
}

/** The query string of the log routes for this filter. */
export function logQuery(filter: LogFilter): Record<string, string | number | undefined> {
  return {
    level: filter.level && filter.level.length > 0 ? filter.level.join(',') : undefined,
    since: filter.since,
    task: filter.task,
    afterSeq: filter.afterSeq,
    beforeSeq: filter.beforeSeq,
    limit: filter.limit,
  };
}
