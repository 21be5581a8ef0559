import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeDeployment } from '../support/node-deployment.ts';
import { apiCaller, childPids, isAlive } from '../support/processes.ts';
import { postgresUnavailable, tempDir } from '../support/stores.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * A deployment of several nodes on PostgreSQL, as real processes: one API node (`serve --no-worker`)
 * and three `runledger worker` processes. Mid-run one worker is killed with SIGKILL and another is
 * stopped (SIGSTOP) past its lease and resumed. Every execution must still end exactly once, with no
 * task re-run after it succeeded, the stopped worker's late reports refused and audited, and the audit
 * trail verifying.
 */

const EXECUTIONS = 200;
const LEASE = '3s';

/** A DAG whose shape the engine cannot know in advance: drawn from a seeded generator. */
function hiddenShapeDag(seed: number) {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const tasks: Record<string, unknown>[] = [];
  for (let i = 0; i < 6; i++) {
    const needs = tasks.filter(() => random() < 0.4).map((t) => t.id as string);
    const kind = i % 3;
    tasks.push(
      kind === 0
        ? { id: `t${i}`, type: 'log', needs, with: { message: `step ${i}` } }
        : kind === 1
          ? { id: `t${i}`, type: 'sleep', needs, with: { duration: `${100 + Math.floor(random() * 400)}ms` } }
          : {
              id: `t${i}`,
              type: 'shell',
              needs,
              retry: { max: 4, backoff: '100ms' },
              // Sleeps a little, and fails one attempt in five: retries are part of every run.
              with: { command: 'n=$(od -An -N1 -tu1 /dev/urandom); sleep 0.$((n % 6 + 1)); test $((n % 5)) -ne 0' },
            },
    );
  }
  return { id: 'hidden', name: 'Hidden shape', tasks };
}

// Without PostgreSQL this is skipped (stores.ts has printed why), unless CI requires it (then stores.ts fails).
describe.skipIf(postgresUnavailable !== null)('several nodes on PostgreSQL', () => {
  const deployment = nodeDeployment('rl_nodes', {
    RUNLEDGER_LEASE_DURATION: LEASE,
    RUNLEDGER_WORKER_POLL_INTERVAL: '250ms',
    RUNLEDGER_DRAIN_TIMEOUT: '2s',
  });
  beforeAll(() => deployment.setUp());
  afterAll(() => deployment.tearDown());

  it(`runs ${EXECUTIONS} executions through an API node and three workers while one is killed and one stalls past its lease`, async () => {
    const { child: api, url: serverUrl, token } = await deployment.startApiNode();
    const workers = [1, 2, 3].map((n) => deployment.launch(['worker', '--concurrency', '8'], tempDir(`runledger-worker-${n}-`)));
    const call = apiCaller(serverUrl, token);
    expect((await call('PUT', '/v1/workflows/hidden', hiddenShapeDag(Date.now() % 1000))).status).toBe(201);

    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < EXECUTIONS) {
          next += 1;
          const res = await call('POST', '/v1/workflows/hidden/run', {});
          expect(res.status).toBe(202);
          ids.push(res.body.executionId as string);
        }
      }),
    );
    const db = new pg.Client({ connectionString: deployment.databaseUrl });
    await db.connect();
    try {
      const ended = async () =>
        Number(
          (await db.query(`select count(*) as n from executions where status in ('completed','failed','cancelled','timed_out')`)).rows[0].n,
        );

      // Mid-run: worker 1 is killed while it runs tasks; the processes it started must die with it.
      const [killed, stalled] = [workers[0]!, workers[1]!];
      await waitFor(
        async () => ((await ended()) >= EXECUTIONS * 0.2 && childPids(killed.pid!).length > 0 ? true : undefined),
        'a fifth of the executions to end',
        120_000,
        20,
      );
      const orphans = childPids(killed.pid!);
      killed.kill('SIGKILL');
      // Worker 2 stalls past its lease while it holds running attempts, then comes back: its late
      // reports must be refused. (Stopped first, then checked: a stopped worker cannot change the rows.)
      // Only runs outside any transaction of its count: a run whose report it was committing when it
      // stopped (its rows locked) is applied when it comes back, and is not a late report.
      const holds = async () =>
        Number(
          (
            await db.query(
              `select count(*) as n from (select t.id from task_runs t join executions e on e.id = t.execution_id
                 where t.status = 'running' and t.lease_owner like $1 for update of t, e skip locked) held`,
              [`%:${stalled.pid}:%`],
            )
          ).rows[0].n,
        );
      await waitFor(
        async () => {
          stalled.kill('SIGSTOP');
          if ((await holds()) > 0) return true;
          stalled.kill('SIGCONT');
          await new Promise((r) => setTimeout(r, 50));
          return undefined;
        },
        'the second worker to be stopped while it holds running attempts',
        60_000,
        0,
      );
      // Past its lease: resumed only once the other workers' sweepers have ended the attempts it holds
      // (how long that takes depends on the machine's load), so that its reports about them come late.
      await waitFor(async () => ((await holds()) === 0 ? true : undefined), "the stalled worker's leases to be expired", 60_000, 250);
      expect(orphans.filter(isAlive)).toEqual([]);
      stalled.kill('SIGCONT');

      await waitFor(async () => ((await ended()) === EXECUTIONS ? true : undefined), 'every execution to end', 240_000, 250);

      // Exactly one terminal state and one terminal audit event per execution.
      const statuses = await db.query(`select status, count(*)::int as n from executions group by status`);
      expect(statuses.rows.every((r: { status: string }) => ['completed', 'failed'].includes(r.status))).toBe(true);
      const terminalEvents = await db.query(`
          select e.id, count(a.id)::int as n from executions e
          left join audit_events a on a.execution_id = e.id and a.subject_type = 'execution'
            and a.event_type in ('COMPLETED','FAILED','CANCELLED','TIMEOUT')
          group by e.id`);
      expect(terminalEvents.rows.filter((r: { n: number }) => r.n !== 1)).toEqual([]);

      // No task re-run after it succeeded, and no task succeeded twice.
      const runs = await db.query(
        `select execution_id, task_id, attempt, status, error, lease_owner from task_runs order by execution_id, task_id, attempt`,
      );
      const byTask = new Map<string, { attempt: number; status: string }[]>();
      for (const r of runs.rows as { execution_id: string; task_id: string; attempt: number; status: string }[]) {
        const key = `${r.execution_id}/${r.task_id}`;
        byTask.set(key, [...(byTask.get(key) ?? []), r]);
      }
      for (const [key, attempts] of byTask) {
        const success = attempts.findIndex((a) => a.status === 'succeeded');
        if (success !== -1) expect({ key, after: attempts.slice(success + 1) }).toEqual({ key, after: [] });
      }
      // Attempts lost with the killed worker ended as LEASE_EXPIRED; nothing is left running.
      expect((runs.rows as { status: string }[]).filter((r) => r.status === 'running' || r.status === 'pending')).toEqual([]);
      const lost = (runs.rows as { error: { code?: string } | null }[]).filter((r) => r.error?.code === 'LEASE_EXPIRED');
      expect(lost.length).toBeGreaterThan(0);
      // The API node ran nothing: every claimed run was taken by a worker process.
      expect((runs.rows as { lease_owner: string | null }[]).filter((r) => r.lease_owner?.includes(`:${api.pid}:`))).toEqual([]);

      // The stalled worker's reports about runs it no longer held were refused and audited.
      const refused = await db.query(
        `select a.metadata, t.status from audit_events a join task_runs t on t.id = (a.metadata->>'taskRunId')
           where a.event_type = 'LATE_REPORT_REFUSED'`,
      );
      expect(refused.rows.length).toBeGreaterThan(0);
      for (const row of refused.rows as { metadata: { reported: string }; status: string }[]) expect(row.status).not.toBe('running');

      // The whole audit trail verifies (through the API node, with the CLI).
      const verify = deployment.runCli(['audit', 'verify']);
      expect(verify.status, verify.stdout + verify.stderr).toBe(0);

      // SIGTERM drains a worker and exits 0.
      const drained = new Promise<number | null>((resolve) => workers[2]!.once('exit', (code) => resolve(code)));
      workers[2]!.kill('SIGTERM');
      expect(await drained).toBe(0);
    } finally {
      await db.end();
    }
  }, 420_000);
});
