import { sql } from 'kysely';
import { queryLogLines } from '../src/store/execution-log-repository.ts';
import type { Store } from '../src/store/store.ts';
import { BIG_EXECUTION_TASKS, type DatasetPlan } from './query-dataset.ts';
import { followLatency } from './query-follow.ts';
import { percentiles, timePaired, type Figure } from './query-measure.ts';
import type { Stack } from './query-stack.ts';

const LEVELS = ['WARN', 'ERROR'];
const PAGE = 1000;
const SERVER = 'web-0042';
const SEARCH_LIMIT = 50;

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`query bench: ${message}`);
}

/**
 * The four figures on a generated store: each "ours" through the code a request runs, each "raw"
 * a hand-written statement doing the same work on the same connection (Kysely's `sql` template,
 * no query builder, no mapping, no HTTP).
 */
export async function measureFigures(store: Store, stack: Stack, plan: DatasetPlan, samples: number): Promise<Figure[]> {
  const db = store.db;
  const warmup = Math.min(50, Math.max(5, Math.floor(samples / 4)));
  const inject = async (url: string) => {
    const res = await stack.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${stack.adminToken}` } });
    check(res.statusCode === 200, `GET ${url} answered ${res.statusCode}: ${res.body}`);
    return res;
  };

  // a. one page of an execution's WARN and ERROR lines, rotating over the executions with most lines
  const heavy = (i: number) => plan.heavy[i % plan.heavy.length]!;
  const logsPage = (i: number) => queryLogLines(db, { executionId: heavy(i), afterSeq: 0, levels: LEVELS, limit: PAGE });
  const rawLogsPage = (i: number) =>
    sql`select seq, task_run_id, ts, level, source, message from execution_logs
        where execution_id = ${heavy(i)} and seq > ${0} and level in (${sql.join(LEVELS)})
        order by seq limit ${PAGE}`.execute(db);
  const [page, rawPage] = [await logsPage(0), await rawLogsPage(0)];
  check(page.length === rawPage.rows.length && page.length > 0, `logs page: ${page.length} lines, raw ${rawPage.rows.length}`);
  const logs = await timePaired(samples, warmup, logsPage, rawLogsPage);

  // b. one execution with every task run, through the whole app
  const execution = () => inject(`/v1/executions/${plan.big}`);
  const rawExecution = async () => {
    await sql`select * from executions where id = ${plan.big} and deleted_at is null`.execute(db);
    return sql`select * from task_runs where execution_id = ${plan.big} order by id`.execute(db);
  };
  const view = (await execution()).json<{ taskRuns: unknown[] }>();
  check(view.taskRuns.length === BIG_EXECUTION_TASKS, `GET execution: ${view.taskRuns.length} task runs`);
  check((await rawExecution()).rows.length === BIG_EXECUTION_TASKS, 'raw execution: task runs missing');
  const get = await timePaired(samples, warmup, execution, rawExecution);

  // c. history search by input value, newest first
  const search = () => inject(`/v1/executions?input.server=${SERVER}&limit=${SEARCH_LIMIT}`);
  // limit + 1, as the page reads one row ahead to know whether there is a next page
  const rawSearch = () =>
    sql`select e.* from executions e join execution_inputs i on i.execution_id = e.id
        where i.key = ${'server'} and i.value = ${SERVER} and e.deleted_at is null
        order by e.id desc limit ${SEARCH_LIMIT + 1}`.execute(db);
  const found = (await search()).json<{ items: unknown[] }>().items.length;
  const rawFound = (await rawSearch()).rows.length;
  check(found === Math.min(SEARCH_LIMIT, rawFound), `search: ${found} executions, raw ${rawFound}`);
  const history = await timePaired(samples, warmup, search, rawSearch);

  // d. a line from flush to a follower's SSE event
  const follow = await followLatency(stack.app, stack.logs, stack.adminToken, plan.follow, { warmup: 10, samples: 100 });

  return [
    { label: 'logs page', name: `logs page: ${LEVELS.join('+')}, limit ${PAGE} (queryLogLines)`, ...logs },
    { label: 'execution', name: `GET /v1/executions/:id (${BIG_EXECUTION_TASKS} task runs)`, ...get },
    { label: 'input search', name: `GET /v1/executions?input.server=${SERVER}&limit=${SEARCH_LIMIT}`, ...history },
    { label: 'follow', name: 'follow: flush -> SSE line event (100 lines)', ours: percentiles(follow) },
  ];
}
