import type { FastifyInstance } from 'fastify';
import type { LogCollector } from '../src/observe/log-collector.ts';

/**
 * Follow latency: a real follower (`GET /v1/executions/:id/logs?follow=true` over HTTP) of a running
 * execution; each round appends one line through the app's LogCollector and flushes, and measures
 * from the start of the flush to the moment the client has parsed that line's SSE event. Returns
 * the measured rounds in ms.
 */
export async function followLatency(
  app: FastifyInstance,
  logs: LogCollector,
  token: string,
  executionId: string,
  rounds: { warmup: number; samples: number },
): Promise<number[]> {
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const abort = new AbortController();
  const res = await fetch(`${base}/v1/executions/${executionId}/logs?follow=true`, {
    headers: { authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  if (res.status !== 200 || !res.body) throw new Error(`follow answered ${res.status}: ${await res.text()}`);

  // The arrival time of each line event, handed to whoever waits for the next one.
  const arrivals: number[] = [];
  let waiter: ((at: number) => void) | undefined;
  const pump = (async () => {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!event.includes('\nevent: line\n')) continue;
          const at = performance.now();
          if (waiter) waiter(at);
          else arrivals.push(at);
          waiter = undefined;
        }
      }
    } catch (e: unknown) {
      if (!abort.signal.aborted) throw e;
    }
  })();
  const nextArrival = () => new Promise<number>((resolve) => (arrivals.length > 0 ? resolve(arrivals.shift()!) : (waiter = resolve)));

  // the follower's first read of the (empty) execution may still be under way: let it settle
  await new Promise((r) => setTimeout(r, 200));
  const samples: number[] = [];
  for (let i = 0; i < rounds.warmup + rounds.samples; i++) {
    const arrival = nextArrival();
    logs.append({ executionId, taskRunId: null, level: 'INFO', source: 'bench', message: `follow round ${i}` });
    const started = performance.now();
    await logs.flush();
    const at = await arrival;
    if (i >= rounds.warmup) samples.push(at - started);
  }
  abort.abort();
  await pump;
  return samples;
}
