/**
 * The query benchmark's store, planned in memory before any row is written: executions over the
 * last 60 days with their inputs and task runs, and how many log lines each gets. Seeded, so both
 * dialects get the same rows (times relative to the start of the run). Log lines are produced on the
 * fly (see `logLines`); the execution with 500 task runs needs no transitions, as
 * `GET /v1/executions/:id` reads executions, task_runs and users only.
 */
import type { ExecutionStatus } from '../src/domain/execution-status.ts';
import type { Trigger } from '../src/domain/records.ts';
import type { TaskRunStatus } from '../src/domain/task-run-status.ts';
import type { ExecutionLogRow } from '../src/store/execution-log-repository.ts';

const DAY_MS = 86_400_000;
const SERVERS = 2000;
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2', 'ap-southeast-1'];
/** The execution with many task runs (GET /v1/executions/:id). */
export const BIG_EXECUTION_TASKS = 500;

/** mulberry32: small, fast, good enough to shape test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(random: () => number, digits: number): string {
  let s = '';
  for (let i = 0; i < digits; i++) s += Math.floor(random() * 16).toString(16);
  return s;
}

/** A UUIDv7 made at `ms`, as the engine's ids are: it sorts by time and lands in that day's log partition. */
export function uuidv7At(ms: number, random: () => number): string {
  const t = Math.floor(ms).toString(16).padStart(12, '0');
  const variant = '89ab'[Math.floor(random() * 4)]!;
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${hex(random, 3)}-${variant}${hex(random, 3)}-${hex(random, 12)}`;
}

export interface PlannedTaskRun {
  id: string;
  taskId: string;
  status: TaskRunStatus;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
}

export interface PlannedExecution {
  id: string;
  workflowId: string;
  status: ExecutionStatus;
  trigger: Trigger;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  inputs: Record<string, string>;
  /** Log lines it gets (its `log_entry_count`). */
  lines: number;
  taskRuns: PlannedTaskRun[];
}

export interface DatasetPlan {
  executions: PlannedExecution[];
  /** Executions with tens of thousands of lines (the logs page figure reads these). */
  heavy: string[];
  /** The execution with `BIG_EXECUTION_TASKS` task runs. */
  big: string;
  /** A running execution without lines, for the follower. */
  follow: string;
}

const TERMINAL: [ExecutionStatus, number][] = [
  ['completed', 0.86],
  ['failed', 0.09],
  ['cancelled', 0.04],
  ['timed_out', 0.01],
];
const UNFINISHED: ExecutionStatus[] = ['running', 'waiting', 'pending'];
const TRIGGERS: Trigger[] = ['api', 'cli', 'schedule', 'manual'];

function pick<T>(random: () => number, weighted: [T, number][]): T {
  let r = random();
  for (const [value, weight] of weighted) if ((r -= weight) < 0) return value;
  return weighted[0]![0];
}

const iso = (ms: number) => new Date(ms).toISOString();

function taskRuns(random: () => number, count: number, status: ExecutionStatus, startMs: number, endMs: number): PlannedTaskRun[] {
  const step = (endMs - startMs) / count;
  return Array.from({ length: count }, (_, i) => {
    const created = startMs + i * step;
    const last = i === count - 1;
    // every run before the last succeeded; the last one ended (or not) as its execution did
    const runStatus: TaskRunStatus = status === 'pending' ? 'pending' : !last || status === 'completed' ? 'succeeded' : status;
    const ended = runStatus !== 'pending' && runStatus !== 'running' && runStatus !== 'waiting';
    return {
      id: uuidv7At(created, random),
      taskId: count >= 100 ? `task-${String(i + 1).padStart(3, '0')}` : `step-${i + 1}`,
      status: runStatus,
      createdAt: iso(created),
      startedAt: runStatus === 'pending' ? null : iso(created + 1),
      completedAt: ended ? iso(created + step * 0.9) : null,
    };
  });
}

/**
 * `executions` executions spread evenly (with jitter) over the last 60 days, the newest 2% not yet
 * ended; `logLines` lines among them, skewed: about 60% to one execution in a thousand (tens of
 * thousands each), the rest to the others on a heavy-tailed curve (most get a handful).
 */
export function planDataset(options: { executions: number; logLines: number; workflowIds: string[]; now: number }): DatasetPlan {
  const random = prng(42);
  const { executions: n, logLines, workflowIds, now } = options;
  const start = now - 60 * DAY_MS;
  const span = (now - start - 60_000) / n;
  const out: PlannedExecution[] = [];
  for (let i = 0; i < n; i++) {
    const createdMs = start + (i + random() * 0.9) * span;
    const status = i >= n * 0.98 ? UNFINISHED[Math.floor(random() * UNFINISHED.length)]! : pick(random, TERMINAL);
    const durationMs = 2_000 + random() * 600_000;
    const startedMs = createdMs + 50;
    const ended = !UNFINISHED.includes(status);
    const inputs: Record<string, string> = { server: `web-${String(1 + Math.floor(random() * SERVERS)).padStart(4, '0')}` };
    if (random() < 0.66) inputs.region = REGIONS[Math.floor(random() * REGIONS.length)]!;
    if (random() < 0.33) inputs.ticket = `OPS-${1000 + Math.floor(random() * 9000)}`;
    out.push({
      id: uuidv7At(createdMs, random),
      workflowId: workflowIds[i % workflowIds.length]!,
      status,
      trigger: TRIGGERS[Math.floor(random() * TRIGGERS.length)]!,
      createdAt: iso(createdMs),
      startedAt: status === 'pending' ? null : iso(startedMs),
      completedAt: ended ? iso(startedMs + durationMs) : null,
      inputs,
      lines: 0,
      taskRuns: taskRuns(random, 1 + Math.floor(random() * 3), status, startedMs, startedMs + durationMs),
    });
  }

  // the execution with many task runs: a finished one from two days ago
  const bigIndex = Math.max(0, Math.floor(n * (1 - 2 / 60)) - 1);
  const big = out[bigIndex]!;
  big.status = 'completed';
  big.completedAt ??= iso(Date.parse(big.createdAt) + 3_600_000);
  big.startedAt ??= big.createdAt;
  big.taskRuns = taskRuns(random, BIG_EXECUTION_TASKS, 'completed', Date.parse(big.startedAt), Date.parse(big.completedAt));

  // log lines: pending executions have none
  const withLines = out.filter((e) => e.status !== 'pending');
  const heavyCount = Math.max(1, Math.round(n / 1000));
  const heavyStep = Math.floor(withLines.length / heavyCount);
  const heavy = Array.from({ length: heavyCount }, (_, i) => withLines[i * heavyStep + Math.floor(heavyStep / 2)]!);
  const heavySet = new Set(heavy);
  const light = withLines.filter((e) => !heavySet.has(e));
  distribute(heavy, Math.round(logLines * 0.6), () => 0.5 + random());
  distribute(light, logLines - Math.round(logLines * 0.6), () => Math.log(1 - random()) ** 2);

  // the follower's execution: running now, no lines yet (the newest id of all)
  const followMs = now - 1000;
  const follow: PlannedExecution = {
    id: uuidv7At(followMs, random),
    workflowId: workflowIds[0]!,
    status: 'running',
    trigger: 'api',
    createdAt: iso(followMs),
    startedAt: iso(followMs + 10),
    completedAt: null,
    inputs: { server: 'web-0001' },
    lines: 0,
    taskRuns: taskRuns(random, 1, 'running', followMs + 10, now),
  };
  out.push(follow);
  return { executions: out, heavy: heavy.map((e) => e.id), big: big.id, follow: follow.id };
}

/** Shares `total` lines among `targets` in proportion to a weight each; the exact total, rounding included. */
function distribute(targets: PlannedExecution[], total: number, weight: () => number): void {
  if (targets.length === 0) return;
  const weights = targets.map(() => weight());
  const sum = weights.reduce((a, b) => a + b, 0);
  let given = 0;
  targets.forEach((e, i) => {
    e.lines = Math.floor((total * weights[i]!) / sum);
    given += e.lines;
  });
  for (let i = 0; given < total; i = (i + 7919) % targets.length, given++) targets[i]!.lines += 1;
}

/** A generated line: the repository's row, without metadata. */
export type PlannedLogLine = Omit<ExecutionLogRow, 'metadata'>;

const VERBS = ['checking', 'restarting', 'draining', 'deploying', 'verifying', 'rotating', 'syncing', 'patching'];
const OBJECTS = ['nginx', 'postgres replica', 'cache node', 'release 4.2.1', 'certificate', 'disk /var', 'load balancer pool'];

/**
 * The lines of `executions`, a group of `interleave` at a time round-robin, as executions running
 * side by side write them: lines of one execution are not stored contiguously. Each line belongs to
 * one of its execution's task runs; levels are mostly INFO and DEBUG, WARN about 9%, ERROR 1%.
 */
export function* logLines(executions: readonly PlannedExecution[], interleave = 16): Generator<PlannedLogLine> {
  const random = prng(7);
  for (let g = 0; g < executions.length; g += interleave) {
    const group = executions.slice(g, g + interleave).filter((e) => e.lines > 0);
    const next = group.map(() => 1);
    let live = group.length;
    while (live > 0) {
      live = 0;
      for (const [k, e] of group.entries()) {
        const seq = next[k]!;
        if (seq > e.lines) continue;
        live += 1;
        next[k] = seq + 1;
        const run = e.taskRuns[Math.min(e.taskRuns.length - 1, Math.floor(((seq - 1) * e.taskRuns.length) / e.lines))]!;
        const r = random();
        const level = r < 0.01 ? 'ERROR' : r < 0.1 ? 'WARN' : r < 0.35 ? 'DEBUG' : 'INFO';
        const startMs = Date.parse(e.startedAt ?? e.createdAt);
        const endMs = e.completedAt ? Date.parse(e.completedAt) : startMs + 600_000;
        yield {
          executionId: e.id,
          seq,
          taskRunId: run.id,
          ts: iso(startMs + ((endMs - startMs) * seq) / (e.lines + 1)),
          level,
          source: `task:${run.taskId}:${level === 'ERROR' || level === 'WARN' ? 'stderr' : 'stdout'}`,
          message: `${VERBS[seq % VERBS.length]!} ${OBJECTS[Math.floor(r * 1000) % OBJECTS.length]!} on ${e.inputs.server ?? 'web-0001'} (step ${seq}, ${Math.floor(r * 5000)} ms)`,
        };
      }
    }
  }
}
