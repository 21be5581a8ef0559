import { describe, expect, it } from 'vitest';
import { InvalidInputsError } from '../../src/domain/errors.ts';
import { parseWorkflowDefinition } from '../../src/domain/parse-workflow-definition.ts';
import { resolveInputs } from '../../src/domain/resolve-inputs.ts';

const def = parseWorkflowDefinition({
  id: 'deploy_service',
  name: 'Deploy',
  inputs: {
    server: { type: 'string', required: true },
    count: { type: 'integer', default: 1 },
    ratio: { type: 'number' },
    dry_run: { type: 'boolean', default: false },
    labels: { type: 'object', default: { team: 'ops' } },
    hosts: { type: 'array' },
    pin: { type: 'integer', secret: true },
  },
  tasks: [{ id: 'a', type: 'log', with: { message: 'm' } }],
});

function problemsOf(provided: Record<string, unknown>): string[] {
  try {
    resolveInputs(def, provided);
  } catch (e: unknown) {
    if (e instanceof InvalidInputsError) return e.problems;
    throw e;
  }
  throw new Error('expected InvalidInputsError');
}

describe('resolveInputs', () => {
  it('applies defaults and leaves optional inputs without one unset', () => {
    expect(resolveInputs(def, { server: 'web-01' })).toEqual({
      server: 'web-01',
      count: 1,
      dry_run: false,
      labels: { team: 'ops' },
    });
  });

  it('coerces CLI strings to the declared types', () => {
    expect(
      resolveInputs(def, {
        server: 'web-01',
        count: '3',
        ratio: '-0.25',
        dry_run: 'TRUE',
        labels: '{"team":"db"}',
        hosts: '["a","b"]',
        pin: ' 1234 ',
      }),
    ).toEqual({ server: 'web-01', count: 3, ratio: -0.25, dry_run: true, labels: { team: 'db' }, hosts: ['a', 'b'], pin: 1234 });
  });

  it('takes values that already have the declared type (JSON from the API)', () => {
    expect(resolveInputs(def, { server: 'web-01', count: 5, ratio: 2, dry_run: true, hosts: [] })).toEqual({
      server: 'web-01',
      count: 5,
      ratio: 2,
      dry_run: true,
      labels: { team: 'ops' },
      hosts: [],
    });
  });

  it('does not share a default between executions', () => {
    const first = resolveInputs(def, { server: 'a' });
    (first.labels as Record<string, string>).team = 'changed';
    expect(resolveInputs(def, { server: 'b' }).labels).toEqual({ team: 'ops' });
  });

  it('treats null as not provided', () => {
    expect(resolveInputs(def, { server: 'x', count: null }).count).toBe(1);
    expect(problemsOf({ server: null })).toEqual(['inputs.server: required']);
  });

  it('reports every problem, naming the input', () => {
    expect(
      problemsOf({
        count: 'abc',
        ratio: '1e',
        dry_run: 'yes',
        labels: '[1]',
        hosts: 'a,b',
        foo: 1,
      }),
    ).toEqual([
      'inputs.server: required',
      'inputs.count: expected integer, got "abc"',
      'inputs.ratio: expected number, got "1e"',
      'inputs.dry_run: expected boolean, got "yes"',
      'inputs.labels: expected object, got "[1]"',
      'inputs.hosts: expected array, got "a,b"',
      'inputs.foo: not declared by workflow deploy_service',
    ]);
  });

  it('refuses values of another type than strings when they do not match', () => {
    expect(problemsOf({ server: 5, count: 1.5, dry_run: 0 })).toEqual([
      'inputs.server: expected string, got 5',
      'inputs.count: expected integer, got 1.5',
      'inputs.dry_run: expected boolean, got 0',
    ]);
  });

  it('never echoes a secret value', () => {
    expect(problemsOf({ server: 'x', pin: 'hunter22' })).toEqual(['inputs.pin: expected integer, got ***']);
  });

  it('shortens long values in messages', () => {
    expect(problemsOf({ server: 'x', count: 'x'.repeat(100) })).toEqual([`inputs.count: expected integer, got "${'x'.repeat(56)}...`]);
  });
});
