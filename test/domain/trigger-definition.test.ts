import { describe, expect, it } from 'vitest';
import { InvalidDefinitionError } from '../../src/domain/errors.ts';
import { parseWorkflowDefinition } from '../../src/domain/parse-workflow-definition.ts';
import { dueTimesBetween, latestDueAtOrBefore, nextDueAfter } from '../../src/domain/schedule-times.ts';

const base = {
  id: 'report',
  name: 'Report',
  inputs: { env: { type: 'string', required: true } },
  tasks: [{ id: 'say', type: 'log', with: { message: '{{ trigger.type }} {{ trigger.body.ref }}' } }],
};

function problemsOf(triggers: unknown): string[] {
  try {
    parseWorkflowDefinition({ ...base, triggers });
  } catch (e: unknown) {
    if (e instanceof InvalidDefinitionError) return e.problems;
    throw e;
  }
  throw new Error('expected InvalidDefinitionError');
}

describe('triggers in a definition', () => {
  it('normalises schedules and webhooks; a definition without triggers has no triggers key', () => {
    const def = parseWorkflowDefinition({
      ...base,
      triggers: [
        { id: 'nightly', cron: '0 2 * * *', inputs: { env: 'prod' } },
        { id: 'paris', cron: '30 7 * * 1-5', timezone: 'Europe/Paris', catch_up: true, inputs: { env: 'x' } },
        { id: 'hook', webhook: {}, inputs: { env: 'y' } },
      ],
    });
    expect(def.triggers).toEqual([
      { id: 'nightly', type: 'schedule', cron: '0 2 * * *', timezone: 'UTC', inputs: { env: 'prod' }, catchUp: false },
      { id: 'paris', type: 'schedule', cron: '30 7 * * 1-5', timezone: 'Europe/Paris', inputs: { env: 'x' }, catchUp: true },
      { id: 'hook', type: 'webhook', inputs: { env: 'y' } },
    ]);
    expect(parseWorkflowDefinition({ ...base, tasks: [{ id: 'a', type: 'log', with: { message: 'm' } }] })).not.toHaveProperty('triggers');
  });

  it('names every problem with its path', () => {
    expect(
      problemsOf([
        { id: 'a', cron: '* * * * * *', inputs: { env: 'x' } },
        { id: 'b', cron: '0 2 * * *', timezone: 'Mars/Olympus', inputs: { env: 'x' } },
        { id: 'c', inputs: { env: 'x' } },
        { id: 'd', cron: '0 2 * * *', webhook: {}, inputs: { env: 'x' } },
        { id: 'a', webhook: {}, catch_up: true, inputs: { env: 'x' } },
        { id: 'f', webhook: { secret: 'x' }, inputs: { env: 'x' } },
        { id: 'g', cron: '0 2 * * *', when: 'never', inputs: { env: 'x' } },
      ]),
    ).toEqual([
      "triggers[0].cron: invalid cron expression \"* * * * * *\": mode '5-part' requires exactly 5 parts, but pattern '* * * * * *' has 6 parts. (five fields: minute hour day-of-month month day-of-week)",
      'triggers[1].timezone: unknown time zone "Mars/Olympus" (an IANA name such as UTC or Europe/Paris)',
      'triggers[2]: needs cron: "<five fields>" (a schedule) or webhook: {} (a webhook)',
      'triggers[3]: a trigger has either cron or webhook, not both',
      'triggers[4].id: duplicate trigger id "a"',
      'triggers[4].catch_up: only a schedule (cron) has catch_up',
      'triggers[5].webhook.secret: unknown field',
      'triggers[6].when: unknown field',
    ]);
  });

  it('refuses trigger inputs that would not start the workflow', () => {
    expect(problemsOf([{ id: 'a', cron: '0 2 * * *' }])).toEqual(['triggers[0].inputs.env: required']);
    expect(problemsOf([{ id: 'a', webhook: {}, inputs: { env: 'x', other: 1 } }])).toEqual([
      'triggers[0].inputs.other: not declared by workflow report',
    ]);
  });

  it('refuses a trigger reference that is not id, type or body', () => {
    expect(() =>
      parseWorkflowDefinition({ ...base, tasks: [{ id: 'a', type: 'log', with: { message: '{{ trigger.headers }}' } }] }),
    ).toThrow(/expected trigger.id, trigger.type or trigger.body/);
  });
});

describe('due times', () => {
  const paris = { cron: '0 3 * * *', timezone: 'Europe/Paris' };

  it('are read in the time zone, across a daylight-saving change', () => {
    // Paris leaves summer time on 2026-10-25: 03:00 there is 01:00 UTC before, 02:00 UTC after.
    expect(nextDueAfter(paris, new Date('2026-10-24T00:00:00Z'))?.toISOString()).toBe('2026-10-24T01:00:00.000Z');
    expect(nextDueAfter(paris, new Date('2026-10-25T12:00:00Z'))?.toISOString()).toBe('2026-10-26T02:00:00.000Z');
  });

  it('between two instants, both included, bounded', () => {
    const minute = { cron: '* * * * *', timezone: 'UTC' };
    const from = new Date('2026-12-03T10:00:00Z');
    expect(dueTimesBetween(minute, from, new Date('2026-12-03T10:02:00Z'), 10).times.map((d) => d.toISOString())).toEqual([
      '2026-12-03T10:00:00.000Z',
      '2026-12-03T10:01:00.000Z',
      '2026-12-03T10:02:00.000Z',
    ]);
    expect(dueTimesBetween(minute, from, new Date('2026-12-03T11:00:00Z'), 5)).toMatchObject({ more: true });
    expect(latestDueAtOrBefore(minute, new Date('2026-12-03T10:02:00Z'))?.toISOString()).toBe('2026-12-03T10:02:00.000Z');
  });
});
