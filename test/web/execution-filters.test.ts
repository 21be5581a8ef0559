import { describe, expect, it } from 'vitest';
import {
  EMPTY_FILTERS,
  dayStart,
  filtersFromSearch,
  filtersToQuery,
  filtersToSearch,
  parseInputChip,
} from '../../web/src/lib/execution-filters.ts';

describe('executions browser filters ↔ URL', () => {
  it('round-trips every filter through the query string, input chips in order', () => {
    const filters = {
      statuses: ['failed', 'timed_out'] as const,
      workflow: 'deploy_service',
      executor: 'ada',
      from: '2026-11-01',
      to: '2026-11-30',
      keyword: 'db & web',
      inputs: [
        ['server', 'db-07'],
        ['region', 'eu west'],
      ] as [string, string][],
      cursor: '01900000-0000-7000-8000-000000000000',
    };
    const search = filtersToSearch({ ...filters, statuses: [...filters.statuses] });
    expect(search).toBe(
      'status=failed%2Ctimed_out&workflow=deploy_service&executor=ada&from=2026-11-01&to=2026-11-30&keyword=db+%26+web&input.server=db-07&input.region=eu+west&cursor=01900000-0000-7000-8000-000000000000',
    );
    expect(filtersFromSearch(`?${search}`)).toEqual({ ...filters, statuses: ['failed', 'timed_out'] });
  });

  it('writes nothing for empty filters and drops what is malformed when reading', () => {
    expect(filtersToSearch(EMPTY_FILTERS)).toBe('');
    expect(filtersFromSearch('?status=failed,bogus,RUNNING&from=yesterday&input.Bad=1&input.ok=&input.x_1=v&junk=1')).toEqual({
      ...EMPTY_FILTERS,
      statuses: ['failed'],
      inputs: [['x_1', 'v']],
    });
  });

  it('turns dates into instants for the API, the end date inclusive, in UTC or the local zone', () => {
    const filters = {
      ...EMPTY_FILTERS,
      from: '2026-03-01',
      to: '2026-03-01',
      statuses: ['running' as const],
      inputs: [['server', 'db-07']] as [string, string][],
      cursor: 'c',
    };
    expect(filtersToQuery(filters, 'utc')).toEqual({
      status: 'running',
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-02T00:00:00.000Z',
      'input.server': 'db-07',
      cursor: 'c',
    });
    // a count asks for one status and no page
    expect(filtersToQuery(filters, 'utc', { paging: false, status: 'failed' })).toMatchObject({ status: 'failed' });
    expect(filtersToQuery(filters, 'utc', { paging: false })).not.toHaveProperty('cursor');
    expect(dayStart('2026-03-01', 'local')).toBe(new Date(2026, 2, 1).toISOString());
    // across the end of a month
    expect(dayStart('2026-01-31', 'utc', 1)).toBe('2026-02-01T00:00:00.000Z');
  });

  it('reads an input chip as name=value, or says what is wrong', () => {
    expect(parseInputChip('server=db-07')).toEqual({ chip: ['server', 'db-07'] });
    expect(parseInputChip(' server = a=b ')).toEqual({ chip: ['server', 'a=b'] });
    expect(parseInputChip('server')).toEqual({ error: 'Write an input filter as name=value' });
    expect(parseInputChip('Server=x')).toEqual({ error: '"Server" is not an input name (a-z, 0-9, _)' });
    expect(parseInputChip('server=')).toEqual({ error: 'Give a value for server' });
  });
});
