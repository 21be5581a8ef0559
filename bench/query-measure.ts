/** Timing and reporting for the query benchmark. */

export interface Percentiles {
  p50: number;
  p95: number;
}

/** Nearest-rank percentiles of samples in ms. */
export function percentiles(samples: readonly number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
  return { p50: rank(0.5), p95: rank(0.95) };
}

export interface Figure {
  name: string;
  /** A few words for the summary line. */
  label: string;
  ours: Percentiles;
  /** Absent where there is nothing raw to compare with. */
  raw?: Percentiles;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/**
 * `ours` and `raw` alternately, `warmup` rounds unmeasured and then `samples` rounds, the order
 * swapped every round so neither side always runs on the other's warm caches.
 */
export async function timePaired(
  samples: number,
  warmup: number,
  ours: (i: number) => Promise<unknown>,
  raw: (i: number) => Promise<unknown>,
): Promise<{ ours: Percentiles; raw: Percentiles }> {
  const o: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < warmup + samples; i++) {
    const [first, second] = i % 2 === 0 ? [ours, raw] : [raw, ours];
    const a = await timed(() => first(i));
    const b = await timed(() => second(i));
    if (i < warmup) continue;
    o.push(i % 2 === 0 ? a : b);
    r.push(i % 2 === 0 ? b : a);
  }
  return { ours: percentiles(o), raw: percentiles(r) };
}

const ms = (p: Percentiles) => `${p.p50.toFixed(2)} / ${p.p95.toFixed(2)}`;
const ratio = (f: Figure) => (f.raw ? `${(f.ours.p50 / f.raw.p50).toFixed(2)} / ${(f.ours.p95 / f.raw.p95).toFixed(2)}` : '-');

/** One table per dialect: figure, ours p50/p95, raw p50/p95, ratio p50/p95 (ms). */
export function formatTable(dialect: string, figures: readonly Figure[]): string {
  const rows = [
    ['figure', 'ours p50 / p95 ms', 'raw p50 / p95 ms', 'ratio p50 / p95'],
    ...figures.map((f) => [f.name, ms(f.ours), f.raw ? ms(f.raw) : '-', ratio(f)]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows
    .map(
      (row) => `query [${dialect}]   ${row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   ')}`,
    )
    .join('\n');
}
