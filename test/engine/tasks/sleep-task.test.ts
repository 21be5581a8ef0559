import { describe, expect, it } from 'vitest';
import { TaskExecutionError } from '../../../src/engine/task-handler.ts';
import { sleepTask, toMilliseconds } from '../../../src/engine/tasks/sleep-task.ts';
import { fakeContext } from './fake-context.ts';

describe('sleep task', () => {
  it('sleeps for a duration string', async () => {
    const started = Date.now();
    await expect(sleepTask(fakeContext({ duration: '120ms' }).ctx)).resolves.toEqual({ sleptMs: 120 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
  });

  it('takes a number as milliseconds', async () => {
    const started = Date.now();
    await expect(sleepTask(fakeContext({ duration: 60 }).ctx)).resolves.toEqual({ sleptMs: 60 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('reads the duration forms definitions use', () => {
    expect(toMilliseconds('1s')).toBe(1000);
    expect(toMilliseconds('250ms')).toBe(250);
    expect(toMilliseconds('2m')).toBe(120_000);
    expect(toMilliseconds('1h30m')).toBe(5_400_000);
    expect(() => toMilliseconds('1.5 hours')).toThrow(/with.duration/); // one grammar for every duration: units ms, s, m, h, d
    expect(toMilliseconds('0s')).toBe(0);
  });

  it('stops promptly when the signal aborts', async () => {
    const { ctx, abort } = fakeContext({ duration: '30s' });
    const started = Date.now();
    setTimeout(() => abort({ kind: 'cancelled', message: 'cancelled by bob' }), 50);
    const error = await sleepTask(ctx).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toMatchObject({ name: 'AbortError', message: 'cancelled by bob' });
    expect(error).not.toBeInstanceOf(TaskExecutionError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses invalid durations with INVALID_INPUT', async () => {
    for (const duration of ['soon', '5 parsecs', '1s and a bit', '', -5, Number.NaN, { s: 1 }, undefined]) {
      const error = await sleepTask(fakeContext({ duration }).ctx).catch((e: unknown) => e);
      expect(error, JSON.stringify(duration) ?? 'undefined').toBeInstanceOf(TaskExecutionError);
      expect((error as TaskExecutionError).code).toBe('INVALID_INPUT');
    }
  });
});
