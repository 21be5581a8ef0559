/**
 * The log viewer on a 1,000,000-line execution, in Debian's Chromium (one run, never a test):
 *   npx tsx bench/ui/log-viewer.ts            (builds nothing: run `npm run build:web` first)
 * Prints, as the other benchmarks do, `name: ours X, whole log Y, ratio Z` for the lines the page
 * requested to open at the tail, to jump to line 500,000 and to find a needle at line 999,000 (the
 * baseline being the whole log), then the DOM nodes of the viewer, the JS heap after scrolling the
 * log from its first line to its last, and the flush-to-visible latency of followed lines.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page, Response } from 'playwright-core';
import { insertLogLines, type ExecutionLogRow } from '../../src/store/execution-log-repository.ts';
import { migrateToLatest, openStore } from '../../src/store/store.ts';
import { launchChromium } from '../../test/support/chromium.ts';
import { seedExecution, seedWorkflow } from '../../test/support/seed.ts';
import { buildStack } from '../query-stack.ts';

const TOTAL = Number(process.env.UI_BENCH_LINES ?? 1_000_000);
const NEEDLE_AT = TOTAL - 1000;
const JUMP_TO = TOTAL / 2;
const FOLLOW_ROUNDS = 30;

function lineAt(executionId: string, n: number, ts: string): ExecutionLogRow {
  const level = n % 10_007 === 0 ? 'ERROR' : n % 1009 === 0 ? 'WARN' : 'INFO';
  const message =
    n === NEEDLE_AT
      ? 'the one haystack-needle-7f3a line'
      : `step ${n % 97} processed item ${n} in ${n % 350} ms (batch ${Math.floor(n / 500)})`;
  return { executionId, seq: n, taskRunId: null, ts, level, source: n % 3 ? 'task:build:stdout' : 'scheduler', message };
}

function print(name: string, ours: number, baseline: number, unit = 'lines'): void {
  console.log(
    `${name}: ours ${ours.toLocaleString('en')} ${unit}, whole log ${baseline.toLocaleString('en')} ${unit}, ratio ${(ours / baseline).toExponential(2)}`,
  );
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Counts the log lines and requests the page asks for from now on (follow streams excluded). */
function countRequests(page: Page, executionId: string) {
  const counted = { requests: 0, lines: 0, searches: 0 };
  const pending: Promise<void>[] = [];
  const onResponse = (res: Response) => {
    const url = new URL(res.url());
    if (!url.pathname.startsWith(`/v1/executions/${executionId}/logs`) || url.searchParams.get('follow') === 'true') return;
    counted.requests += 1;
    if (url.pathname.endsWith('/search')) counted.searches += 1;
    if (url.pathname.endsWith('/logs'))
      pending.push(
        res
          .json()
          .then((body: { items: unknown[] }) => void (counted.lines += body.items.length))
          .catch(() => undefined),
      );
  };
  page.on('response', onResponse);
  return {
    async stop() {
      await page.waitForLoadState('networkidle').catch(() => undefined);
      await Promise.all(pending);
      page.off('response', onResponse);
      return counted;
    },
  };
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runledger-ui-bench-'));
const store = openStore({ dataDir });
await migrateToLatest(store);
const stack = await buildStack(store, dataDir);
const base = await stack.app.listen({ port: 0, host: '127.0.0.1' });
const db = store.db;

const workflowId = await seedWorkflow(db);
const big = await seedExecution(db, workflowId);
const started = performance.now();
const ts = new Date().toISOString();
for (let from = 1; from <= TOTAL; from += 10_000) {
  const rows = Array.from({ length: Math.min(10_000, TOTAL - from + 1) }, (_, i) => lineAt(big, from + i, ts));
  // one transaction per 10,000 lines, one statement per 2,000 (SQLite's limit on bound values)
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += 2000) await insertLogLines(trx, rows.slice(i, i + 2000));
  });
}
// running, so the viewer opens at its tail as it does for any running execution
await db.updateTable('executions').set({ status: 'running', started_at: ts, title: 'A million lines' }).where('id', '=', big).execute();
console.log(`(seeded ${TOTAL.toLocaleString('en')} lines in ${((performance.now() - started) / 1000).toFixed(1)} s)`);

const browser = await launchChromium();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(`${base}/login`);
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/executions$/);

  // 1. open at the tail
  let counter = countRequests(page, big);
  await page.goto(`${base}/executions/${big}/logs`);
  await page.locator(`.log-row[data-seq="${TOTAL}"]`).waitFor();
  let c = await counter.stop();
  print('ui.open_tail.lines_requested', c.lines, TOTAL);
  console.log(`ui.open_tail.requests: ${c.requests}`);

  // 2. jump to line 500,000 (Go to line)
  counter = countRequests(page, big);
  await page.getByLabel('Go to line').fill(String(JUMP_TO));
  await page.getByLabel('Go to line').press('Enter');
  await page.locator(`.log-row.highlighted[data-seq="${JUMP_TO}"]`).waitFor();
  c = await counter.stop();
  print('ui.jump_500k.lines_requested', c.lines, TOTAL);
  console.log(`ui.jump_500k.requests: ${c.requests}`);

  // 3. find the needle at line 999,000 from the top of the log
  await page.getByRole('button', { name: 'Start' }).click();
  await page.locator('.log-row[data-seq="1"]').waitFor();
  counter = countRequests(page, big);
  const searchStarted = performance.now();
  await page.getByLabel(/Search the whole log/).fill('haystack-needle-7f3a');
  await page.getByLabel(/Search the whole log/).press('Enter');
  await page.locator(`.log-row.highlighted[data-seq="${NEEDLE_AT}"] mark`).waitFor();
  const searchMs = performance.now() - searchStarted;
  c = await counter.stop();
  print('ui.find_needle.lines_requested', c.lines, TOTAL);
  console.log(
    `ui.find_needle.requests: ${c.requests} (${c.searches} search, ${c.requests - c.searches} windows), ${searchMs.toFixed(0)} ms to the highlighted match`,
  );

  // 4. DOM nodes of the viewer: bounded by the viewport, whatever the log's size
  const dom = await page.evaluate<{ nodes: number; rows: number; height: number }>(
    `({ nodes: document.querySelectorAll('.log-scroll *').length, rows: document.querySelectorAll('.log-row').length, height: document.querySelector('.log-scroll').clientHeight })`,
  );
  console.log(
    `ui.viewer_dom_nodes: ${dom.nodes} (${dom.rows} rows rendered for a ${dom.height} px viewport; ${TOTAL.toLocaleString('en')} lines in the log)`,
  );

  // 5. JS heap after scrolling from the first line to the last
  const cdp = await context.newCDPSession(page);
  await page.getByRole('button', { name: 'Start' }).click();
  await page.locator('.log-row[data-seq="1"]').waitFor();
  const scrollStarted = performance.now();
  let last = 0;
  let windows = 0;
  const loadedTo = () =>
    page.evaluate<number>(
      `Number(document.querySelector('.log-status').textContent.match(/–([\\d,]+) loaded/)?.[1]?.replaceAll(',', '') ?? 0)`,
    );
  while (last < TOTAL) {
    await page.evaluate(`(() => { const el = document.querySelector('.log-scroll'); el.scrollTop = el.scrollHeight; })()`);
    // the next window arrives (or the scroll lands where no load is due: scroll again)
    const before = last;
    for (let i = 0; i < 100 && last === before; i++) {
      await new Promise((r) => setTimeout(r, 10));
      last = await loadedTo();
    }
    if (last > before) windows += 1;
    // Progress: rewritten in place on a terminal, a line each in a log file.
    if (windows % 200 === 0) process.stderr.write(`  scrolled to line ${last.toLocaleString('en')}${process.stderr.isTTY ? '\r' : '\n'}`);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  await page.evaluate(`(() => { const el = document.querySelector('.log-scroll'); el.scrollTop = el.scrollHeight; })()`);
  await page.locator(`.log-row[data-seq="${TOTAL}"]`).waitFor();
  const scrollSeconds = (performance.now() - scrollStarted) / 1000;
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
  const usedMb = heap.usedSize / 1024 / 1024;
  console.log(
    `ui.heap_after_scrolling_end_to_end: ${usedMb.toFixed(1)} MB used (${(heap.totalSize / 1024 / 1024).toFixed(1)} MB allocated), budget 150 MB: ${usedMb < 150 ? 'within' : 'OVER'}; ${windows} windows loaded in ${scrollSeconds.toFixed(0)} s`,
  );

  // 6. flush-to-visible latency of followed lines: a small running execution, lines appended and flushed here
  const followed = await seedExecution(db, workflowId);
  await db
    .updateTable('executions')
    .set({ status: 'running', started_at: new Date().toISOString(), title: 'Followed' })
    .where('id', '=', followed)
    .execute();
  await page.goto(`${base}/executions/${followed}/logs`);
  await page.getByText('Waiting for the first line…').waitFor();
  await page.evaluate(`(() => {
    window.__seen = new Map();
    new MutationObserver((records) => {
      for (const r of records) for (const node of r.addedNodes) {
        const m = /follow round (\\d+)/.exec(node.textContent || '');
        if (m && !window.__seen.has(Number(m[1]))) {
          const n = Number(m[1]);
          // after the frame that shows it
          requestAnimationFrame(() => window.__seen.set(n, performance.timeOrigin + performance.now()));
        }
      }
    }).observe(document.querySelector('.log-inner'), { childList: true, subtree: true });
  })()`);
  const latencies: number[] = [];
  for (let i = 0; i < FOLLOW_ROUNDS + 3; i++) {
    stack.logs.append({ executionId: followed, taskRunId: null, level: 'INFO', source: 'bench', message: `follow round ${i}` });
    const flushAt = performance.timeOrigin + performance.now();
    await stack.logs.flush();
    // a function, not a string: the page's CSP refuses eval, which a string predicate would need
    await page.waitForFunction((n: number) => (globalThis as unknown as { __seen: Map<number, number> }).__seen.has(n), i, {
      timeout: 10_000,
    });
    const seenAt = await page.evaluate((n: number) => (globalThis as unknown as { __seen: Map<number, number> }).__seen.get(n)!, i);
    if (i >= 3) latencies.push(seenAt - flushAt);
  }
  console.log(
    `ui.follow_flush_to_visible: p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms over ${latencies.length} lines`,
  );
  await db
    .updateTable('executions')
    .set({ status: 'completed', completed_at: new Date().toISOString() })
    .where('id', 'in', [big, followed])
    .execute();
} finally {
  await browser.close();
  await stack.close();
  await store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
