import { describe, expect, it } from 'vitest';
import { TaskExecutionError } from '../../../src/engine/task-handler.ts';
import { logTask } from '../../../src/engine/tasks/log-task.ts';
import { fakeContext } from './fake-context.ts';

describe('log task', () => {
  it('logs the message at INFO by default, as source task:<id>', async () => {
    const { ctx, logs } = fakeContext({ message: 'built for web-01' });
    await expect(logTask(ctx)).resolves.toEqual({ level: 'INFO', message: 'built for web-01' });
    expect(logs).toEqual([{ level: 'INFO', source: 'task:t1', message: 'built for web-01' }]);
  });

  it('logs at the given level, in any case', async () => {
    const { ctx, logs } = fakeContext({ level: 'warn', message: 'disk almost full' });
    await expect(logTask(ctx)).resolves.toEqual({ level: 'WARN', message: 'disk almost full' });
    expect(logs).toEqual([{ level: 'WARN', source: 'task:t1', message: 'disk almost full' }]);
  });

  it('logs a non-string message as JSON', async () => {
    const { ctx, logs } = fakeContext({ level: 'DEBUG', message: { replicas: 3 } });
    await logTask(ctx);
    expect(logs).toEqual([{ level: 'DEBUG', source: 'task:t1', message: '{"replicas":3}' }]);
  });

  it('refuses an unknown level or a missing message, logging nothing', async () => {
    for (const input of [{ level: 'LOUD', message: 'x' }, { level: 3, message: 'x' }, {}]) {
      const { ctx, logs } = fakeContext(input);
      const error = await logTask(ctx).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TaskExecutionError);
      expect((error as TaskExecutionError).code).toBe('INVALID_INPUT');
      expect(logs).toEqual([]);
    }
  });
});
