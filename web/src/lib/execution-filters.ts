/**
 * The executions browser's filters and the URL: one typed shape feeds the search form, the address
 * bar (a filtered view is a link) and the API's query. Pure: unit-tested without a browser.
 */
export const STATUSES = ['pending', 'running', 'waiting', 'completed', 'failed', 'cancelled', 'timed_out'] as const;
export type Status = (typeof STATUSES)[number];

export interface ExecutionFilters {
  statuses: Status[];
  workflow: string;
  executor: string;
  /** Dates (YYYY-MM-DD), inclusive, in the reader's time zone preference. */
  from: string;
  to: string;
  keyword: string;
  /** `input.<name>=<value>` chips, in the order they were added. */
  inputs: [name: string, value: string][];
  cursor: string;
}

export const EMPTY_FILTERS: ExecutionFilters = {
  statuses: [],
  workflow: '',
  executor: '',
  from: '',
  to: '',
  keyword: '',
  inputs: [],
  cursor: '',
};

const INPUT_NAME = /^[a-z][a-z0-9_]*$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isStatus(value: string): value is Status {
  return (STATUSES as readonly string[]).includes(value);
}

/** Reads the filters from a query string; anything malformed is dropped, never an error. */
export function filtersFromSearch(search: string): ExecutionFilters {
  const params = new URLSearchParams(search);
  const inputs: [string, string][] = [];
  for (const [key, value] of params) {
    const name = key.startsWith('input.') ? key.slice('input.'.length) : undefined;
    if (name !== undefined && INPUT_NAME.test(name) && value !== '') inputs.push([name, value]);
  }
  const date = (key: string) => {
    const value = params.get(key) ?? '';
    return DATE.test(value) ? value : '';
  };
  return {
    statuses: (params.get('status') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(isStatus),
    workflow: params.get('workflow') ?? '',
    executor: params.get('executor') ?? '',
    from: date('from'),
    to: date('to'),
    keyword: params.get('keyword') ?? '',
    inputs,
    cursor: params.get('cursor') ?? '',
  };
}

/** Writes the filters as a query string (without `?`), only those set, in a stable order. */
export function filtersToSearch(filters: ExecutionFilters): string {
  const params = new URLSearchParams();
  if (filters.statuses.length > 0) params.set('status', filters.statuses.join(','));
  if (filters.workflow) params.set('workflow', filters.workflow);
  if (filters.executor) params.set('executor', filters.executor);
  if (filters.from) params.set('from', filters.from);
  if (filters.to) params.set('to', filters.to);
  if (filters.keyword) params.set('keyword', filters.keyword);
  for (const [name, value] of filters.inputs) params.append(`input.${name}`, value);
  if (filters.cursor) params.set('cursor', filters.cursor);
  return params.toString();
}

/** The instant a date starts, in UTC or in the browser's zone. */
export function dayStart(date: string, zone: 'utc' | 'local', plusDays = 0): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const at = zone === 'utc' ? new Date(Date.UTC(y, m - 1, d + plusDays)) : new Date(y, m - 1, d + plusDays);
  return at.toISOString();
}

/** The API's query for the list (or, without paging, the count): dates become instants, `to` inclusive. */
export function filtersToQuery(
  filters: ExecutionFilters,
  zone: 'utc' | 'local',
  options: { paging?: boolean; status?: Status } = {},
): Record<string, string> {
  const query: Record<string, string> = {};
  const statuses = options.status ? [options.status] : filters.statuses;
  if (statuses.length > 0) query.status = statuses.join(',');
  if (filters.workflow) query.workflow = filters.workflow;
  if (filters.executor) query.executor = filters.executor;
  if (filters.from) query.from = dayStart(filters.from, zone);
  if (filters.to) query.to = dayStart(filters.to, zone, 1);
  if (filters.keyword) query.keyword = filters.keyword;
  for (const [name, value] of filters.inputs) query[`input.${name}`] = value;
  if (options.paging !== false && filters.cursor) query.cursor = filters.cursor;
  return query;
}

/** `server=db-07` → a chip; anything else (no `=`, a bad name, no value) → a reason to show. */
export function parseInputChip(text: string): { chip: [string, string] } | { error: string } {
  const eq = text.indexOf('=');
  if (eq <= 0) return { error: 'Write an input filter as name=value' };
  const name = text.slice(0, eq).trim();
  const value = text.slice(eq + 1).trim();
  if (!INPUT_NAME.test(name)) return { error: `"${name}" is not an input name (a-z, 0-9, _)` };
  if (value === '') return { error: `Give a value for ${name}` };
  return { chip: [name, value] };
}
