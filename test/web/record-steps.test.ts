import { describe, expect, it } from 'vitest';
import { currentStep, recordSteps } from '../../web/src/records/record-steps.ts';

function run(taskId: string, status: string, attempt = 1, input: unknown = null) {
  return { id: `${taskId}-${attempt}`, taskId, attempt, status, input };
}

const definition = {
  id: 'p',
  name: 'P',
  inputs: {},
  tasks: [
    { id: 'first', needs: [], with: { description: 'Do the first thing' } },
    { id: 'second', needs: ['first'], with: { description: 'Then the second' } },
  ],
};

describe('recordSteps', () => {
  it('orders steps as the procedure lists them, extra steps last, each by its latest attempt, with its description', () => {
    const steps = recordSteps(
      [
        run('extra_1', 'waiting', 1, { description: 'Tell #ops' }),
        run('second', 'pending'),
        run('first', 'failed', 1),
        run('first', 'waiting', 2),
      ],
      definition,
    );
    expect(steps.map((s) => [s.number, s.taskId, s.run.attempt, s.description, s.extra])).toEqual([
      [1, 'first', 2, 'Do the first thing', false],
      [2, 'second', 1, 'Then the second', false],
      [3, 'extra_1', 1, 'Tell #ops', true],
    ]);
    expect(currentStep(steps)?.taskId).toBe('first');
  });

  it('has no current step when none waits for a person, and works before the definition is loaded', () => {
    const steps = recordSteps([run('first', 'succeeded'), run('second', 'pending')], undefined);
    expect(steps.map((s) => s.description)).toEqual(['', '']);
    expect(currentStep(steps)).toBeUndefined();
  });
});
