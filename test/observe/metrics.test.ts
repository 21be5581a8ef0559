import { afterEach, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

const METRICS_TOKEN = 'scraper-token-0123456789';

/** The value of one series in Prometheus's text format, or undefined. */
function valueOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describeEachDialect('GET /metrics', (dialect) => {
  let h: Harness;
  afterEach(async () => {
    await h.dispose();
  });

  async function scrape(token: string | null = METRICS_TOKEN): Promise<{ status: number; text: string; type: string }> {
    const res = await h.app.inject({ method: 'GET', url: '/metrics', headers: token === null ? {} : { authorization: `Bearer ${token}` } });
    return { status: res.statusCode, text: res.body, type: String(res.headers['content-type']) };
  }

  it('answers the scraper token and admins only, in Prometheus format, with the record and this process counted', async () => {
    h = await createHarness(dialect, { appOptions: { metricsToken: METRICS_TOKEN } });
    await h.apply({
      id: 'm',
      name: 'M',
      tasks: [
        { id: 'a', type: 'log', with: { message: 'one' } },
        { id: 'b', type: 'shell', needs: ['a'], with: { command: 'echo two' } },
      ],
    });
    const first = await h.runToEnd('m');
    expect(first.status).toBe('completed');
    await h.runToEnd('m');

    expect((await scrape(null)).status).toBe(401);
    expect((await scrape('not-the-token')).status).toBe(401);
    const member = await h.api<{ id: string }>('POST', '/v1/admin/users', { username: 'mia', password: 'mia-password-1' });
    expect(member.status).toBe(201);
    const memberToken = (await h.auth.login('mia', 'mia-password-1')).token;
    expect((await scrape(memberToken)).status).toBe(403);
    expect((await scrape(h.adminToken)).status).toBe(200);

    const { status, text, type } = await scrape();
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(valueOf(text, 'runledger_executions{status="completed"}')).toBe(2);
    expect(valueOf(text, 'runledger_ready_task_runs')).toBe(0);
    expect(valueOf(text, 'runledger_oldest_ready_task_run_age_seconds')).toBe(0);
    expect(valueOf(text, 'runledger_running_task_runs')).toBe(0);
    expect(valueOf(text, 'runledger_task_runs_claimed_total')).toBe(4);
    expect(valueOf(text, 'runledger_task_runs_reported_total')).toBe(4);
    expect(valueOf(text, 'runledger_late_reports_refused_total')).toBe(0);
    expect(valueOf(text, 'runledger_store_writes_failing')).toBe(0);
    expect(valueOf(text, 'runledger_store_bytes')).toBeGreaterThan(10_000);
    expect(valueOf(text, 'runledger_audit_checkpoint_age_seconds')).toBe(-1);
    // (An attempt's lines commit with its report; the collector's own batches are what this counts.)
    expect(valueOf(text, 'runledger_log_lines_written_total')).toBeGreaterThanOrEqual(0);
    expect(valueOf(text, 'runledger_log_lines_dropped_total')).toBe(0);
    // Each attempt logs at least its start line and the shell task its output line.
    expect(valueOf(text, 'runledger_log_lines_ingested_total')).toBeGreaterThanOrEqual(6);
    // CREATED, STARTED, COMPLETED and each task run's transitions: several per execution.
    expect(valueOf(text, 'runledger_audit_events_appended_total')).toBeGreaterThanOrEqual(2 * 3);
    expect(valueOf(text, 'runledger_executions_started_total{workflow="m"}')).toBe(2);
    expect(valueOf(text, 'runledger_executions_ended_total{workflow="m",status="completed"}')).toBe(2);
    expect(valueOf(text, 'runledger_task_run_duration_seconds_count{type="log",status="succeeded"}')).toBe(2);
    expect(valueOf(text, 'runledger_task_run_duration_seconds_count{type="shell",status="succeeded"}')).toBe(2);
    expect(valueOf(text, 'runledger_task_run_duration_seconds_bucket{le="+Inf",type="shell",status="succeeded"}')).toBe(2);
    expect(valueOf(text, 'runledger_task_run_duration_seconds_sum{type="shell",status="succeeded"}')).toBeGreaterThan(0);
    expect(valueOf(text, 'runledger_state_changes_total')).toBeGreaterThanOrEqual(valueOf(text, 'runledger_state_commits_total')!);
    // Requests by route pattern, not by URL.
    expect(text).toMatch(
      /runledger_http_request_duration_seconds_count\{method="POST",route="\/v1\/workflows\/:id\/run",status_code="202"\} 2/,
    );
    expect(text).not.toContain(first.id);

    // Counters keep counting between scrapes; facts of the store follow the store.
    await h.runToEnd('m');
    await h.api('POST', '/v1/audit/checkpoints');
    const again = (await scrape()).text;
    expect(valueOf(again, 'runledger_executions{status="completed"}')).toBe(3);
    expect(valueOf(again, 'runledger_task_runs_claimed_total')).toBe(6);
    expect(valueOf(again, 'runledger_audit_checkpoint_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(valueOf(again, 'runledger_executions_ended_total{workflow="m",status="completed"}')).toBe(3);
    expect(valueOf(again, 'runledger_audit_events_appended_total')).toBeGreaterThan(
      valueOf(text, 'runledger_audit_events_appended_total')!,
    );
  });

  it('shows the ready queue and its oldest run while nothing claims', async () => {
    h = await createHarness(dialect, { worker: false, appOptions: { metricsToken: METRICS_TOKEN } });
    await h.apply({ id: 'q', name: 'Q', tasks: [{ id: 'a', type: 'log', with: { message: 'waits' } }] });
    for (let i = 0; i < 3; i++) expect((await h.api('POST', '/v1/workflows/q/run', {})).status).toBe(202);
    await new Promise((r) => setTimeout(r, 1100));
    const { text } = await scrape();
    expect(valueOf(text, 'runledger_ready_task_runs')).toBe(3);
    expect(valueOf(text, 'runledger_oldest_ready_task_run_age_seconds')).toBeGreaterThanOrEqual(1);
    expect(valueOf(text, 'runledger_executions{status="pending"}')).toBe(3);
  });
});
