import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOKEN = 'dashboard-scraper-token-01';

interface Dashboard {
  __inputs: { name: string; type: string; pluginId: string }[];
  panels: { title: string; datasource: { uid: string }; targets: { expr: string }[] }[];
}

/** Metric families `/metrics` declares (`# TYPE name kind`), without Node.js's own process metrics. */
function families(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (runledger_\w+) (\w+)$/gm)) if (!m[1]!.startsWith('runledger_process_')) out.set(m[1]!, m[2]!);
  return out;
}

/** The family a series name belongs to: a histogram's `_bucket`, `_count` and `_sum` are its own. */
function familyOf(series: string, known: Map<string, string>): string {
  const base = series.replace(/_(bucket|count|sum)$/, '');
  return known.get(base) === 'histogram' ? base : series;
}

let h: Harness;
afterEach(async () => {
  await h.dispose();
});

it('the Grafana dashboard and docs/operations.md use only metric names /metrics serves, and the docs name them all', async () => {
  h = await createHarness('sqlite', { appOptions: { metricsToken: TOKEN } });
  const res = await h.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.statusCode).toBe(200);
  const served = families(res.body);
  expect(served.size).toBeGreaterThan(20);

  const dashboard = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs', 'grafana-dashboard.json'), 'utf8')) as Dashboard;
  // Importable: the data source is asked for at import, and every panel queries it.
  expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
  const used = new Set<string>();
  for (const panel of dashboard.panels) {
    expect(panel.datasource.uid, panel.title).toBe('${DS_PROMETHEUS}');
    expect(panel.targets.length, panel.title).toBeGreaterThan(0);
    for (const target of panel.targets) for (const m of target.expr.matchAll(/\brunledger_\w+/g)) used.add(familyOf(m[0], served));
  }
  expect([...used].filter((name) => !served.has(name))).toEqual([]);
  // The panels cover what operators alert on.
  for (const name of [
    'runledger_oldest_ready_task_run_age_seconds',
    'runledger_lease_expiries_total',
    'runledger_audit_checkpoint_age_seconds',
  ])
    expect(used).toContain(name);

  const docs = fs.readFileSync(path.join(ROOT, 'docs', 'operations.md'), 'utf8');
  const documented = new Set([...docs.matchAll(/`(runledger_[a-z_]+)/g)].map((m) => familyOf(m[1]!, served)));
  expect([...documented].filter((name) => !name.startsWith('runledger_process_') && !served.has(name))).toEqual([]);
  expect([...served.keys()].filter((name) => !documented.has(name))).toEqual([]);
});
