import { describe, expect, it } from 'vitest';
import {
  collectSecretNames,
  renderDocument,
  renderString,
  renderValue,
  secretFromEnv,
  TemplateError,
  type TemplateContext,
} from '../../src/engine/template.ts';

const ctx: TemplateContext = {
  inputs: { server: 'web-01', count: 3, dry_run: false, labels: { team: 'ops' }, hosts: ['a', 'b'] },
  tasks: {
    fetch: {
      output: {
        status: 200,
        body: { version: '2.4.1', items: [{ name: 'first', tags: ['x', 'y'] }], 'content-type': 'json', empty: null },
      },
    },
    greet: { output: { stdout: 'Hello, world!' } },
  },
  secrets: (name) => (name === 'TOKEN' ? 's3cr3t-value' : undefined),
};

function templateError(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (e: unknown) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
  throw new Error('expected TemplateError');
}

describe('renderValue', () => {
  it('substitutes inputs, task outputs and secrets, with or without spaces inside the braces', () => {
    expect(renderString('deploy {{ inputs.server }} v{{tasks.fetch.output.body.version}} with {{  secrets.TOKEN  }}', ctx)).toBe(
      'deploy web-01 v2.4.1 with s3cr3t-value',
    );
  });

  it('follows nested paths, array indexes and quoted keys', () => {
    expect(renderString('{{ tasks.fetch.output.body.items[0].name }}', ctx)).toBe('first');
    expect(renderString('{{ tasks.fetch.output.body.items[0].tags[1] }}', ctx)).toBe('y');
    expect(renderString('{{ tasks.fetch.output.body.content-type }}', ctx)).toBe('json');
    expect(renderString('{{ tasks.fetch.output.body["content-type"] }}', ctx)).toBe('json');
    expect(renderString('{{ inputs.labels.team }}/{{ inputs.hosts[1] }}', ctx)).toBe('ops/b');
  });

  it('passes the raw value through when a string is exactly one placeholder', () => {
    expect(renderString('{{ inputs.count }}', ctx)).toBe(3);
    expect(renderString('{{ inputs.dry_run }}', ctx)).toBe(false);
    expect(renderString('{{ inputs.labels }}', ctx)).toEqual({ team: 'ops' });
    expect(renderString('{{ tasks.fetch.output.body.items }}', ctx)).toEqual([{ name: 'first', tags: ['x', 'y'] }]);
    expect(renderString('{{ tasks.fetch.output.body.empty }}', ctx)).toBeNull();
  });

  it('stringifies embedded values, objects as JSON', () => {
    expect(renderString('n={{ inputs.count }} dry={{ inputs.dry_run }}', ctx)).toBe('n=3 dry=false');
    expect(renderString('labels: {{ inputs.labels }}', ctx)).toBe('labels: {"team":"ops"}');
    expect(renderString(' {{ inputs.hosts }}', ctx)).toBe(' ["a","b"]');
    expect(renderString('{{ inputs.count }}{{ inputs.count }}', ctx)).toBe('33');
  });

  it('walks objects and arrays, rendering strings and keeping everything else', () => {
    const value = {
      url: 'https://{{ inputs.server }}/api',
      headers: { authorization: 'Bearer {{ secrets.TOKEN }}', '{{ inputs.server }}': 'keys are not rendered' },
      replicas: '{{ inputs.count }}',
      args: ['--host', '{{ inputs.server }}', 7, true, null],
    };
    expect(renderValue(value, ctx)).toEqual({
      url: 'https://web-01/api',
      headers: { authorization: 'Bearer s3cr3t-value', '{{ inputs.server }}': 'keys are not rendered' },
      replicas: 3,
      args: ['--host', 'web-01', 7, true, null],
    });
    expect(value.url).toBe('https://{{ inputs.server }}/api');
  });

  it('leaves foreign braces and text without placeholders untouched', () => {
    expect(renderString("docker inspect --format '{{.State.Running}}' {{ inputs.server }}", ctx)).toBe(
      "docker inspect --format '{{.State.Running}}' web-01",
    );
    expect(renderString('{{ json .Config }}', ctx)).toBe('{{ json .Config }}');
    expect(renderString('plain {text}', ctx)).toBe('plain {text}');
  });

  it('throws TemplateError naming the expression for anything unresolved', () => {
    const cases: Array<[string, string]> = [
      ['{{ inputs.missing }}', '{{ inputs.missing }}: input "missing" has no value'],
      ['x {{ tasks.deploy.output.url }}', '{{ tasks.deploy.output.url }}: task "deploy" has no output'],
      ['{{ tasks.fetch.output.body.nope.deeper }}', '{{ tasks.fetch.output.body.nope.deeper }}: no value at body.nope'],
      ['{{ tasks.fetch.output.body.items[3].name }}', '{{ tasks.fetch.output.body.items[3].name }}: no value at body.items[3]'],
      ['{{ tasks.fetch.output.body.version[0] }}', '{{ tasks.fetch.output.body.version[0] }}: no value at body.version[0]'],
      ['{{ inputs.labels.constructor }}', '{{ inputs.labels.constructor }}: no value at labels.constructor'],
      ['{{ secrets.NOPE }}', '{{ secrets.NOPE }}: secret "NOPE" is not set (RUNLEDGER_SECRET_NOPE)'],
      ['{{ tasks.fetch.status }}', '{{ tasks.fetch.status }}: expected tasks.<id>.output in "tasks.fetch.status"'],
      ['{{ inputs }}', '{{ inputs }}: expected inputs.<name> in "inputs"'],
      ['{{ inputs.a b }}', '{{ inputs.a b }}: cannot read path in "inputs.a b"'],
    ];
    for (const [text, message] of cases) {
      const error = templateError(() => renderValue({ nested: [text] }, ctx));
      expect(error.message).toBe(message);
      expect(error.code).toBe('TEMPLATE_ERROR');
    }
    expect(templateError(() => renderString('{{ inputs.missing }}', ctx)).expression).toBe('inputs.missing');
  });
});

describe('collectSecretNames', () => {
  it('finds every secret once, in order, anywhere in a value', () => {
    expect(
      collectSecretNames([
        { command: 'login {{ secrets.USER }} {{secrets.PASSWORD}}' },
        { headers: { a: ['{{ secrets.PASSWORD }}', '{{ secrets.TOKEN }}'] }, n: 3 },
        '{{ inputs.x }} {{ secrets.bad.path }}',
      ]),
    ).toEqual(['USER', 'PASSWORD', 'TOKEN']);
    expect(collectSecretNames({})).toEqual([]);
  });
});

describe('renderDocument', () => {
  it('substitutes inputs and leaves whatever it cannot resolve visible', () => {
    expect(
      renderDocument(
        '# Deploy to {{ inputs.server }}\n{{ inputs.count }} replicas, team {{inputs.labels.team}}, {{ inputs.labels }}\n' +
          'Missing: {{ inputs.nope }} {{ tasks.a.output }} {{ secrets.TOKEN }} {{ inputs.labels.x }} {{ inputs }}',
        ctx.inputs,
      ),
    ).toBe(
      '# Deploy to web-01\n3 replicas, team ops, {"team":"ops"}\n' +
        'Missing: {{ inputs.nope }} {{ tasks.a.output }} {{ secrets.TOKEN }} {{ inputs.labels.x }} {{ inputs }}',
    );
  });
});

describe('secretFromEnv', () => {
  it('reads RUNLEDGER_SECRET_<NAME>, an empty value counting as unset', () => {
    const env = { RUNLEDGER_SECRET_TOKEN: 'abc123', RUNLEDGER_SECRET_EMPTY: '' };
    expect(secretFromEnv('TOKEN', env)).toBe('abc123');
    expect(secretFromEnv('EMPTY', env)).toBeUndefined();
    expect(secretFromEnv('token', env)).toBeUndefined();
  });
});

describe('trigger placeholders', () => {
  const started = { ...ctx, trigger: { type: 'webhook', id: 'deploy_hook', body: { ref: 'v1', items: [{ n: 1 }] } } };

  it('read the trigger type, id and webhook body', () => {
    expect(renderString('{{ trigger.type }}/{{ trigger.id }}', started)).toBe('webhook/deploy_hook');
    expect(renderString('{{ trigger.body }}', started)).toEqual({ ref: 'v1', items: [{ n: 1 }] });
    expect(renderString('{{ trigger.body.items[0].n }}', started)).toBe(1);
  });

  it('say what is missing', () => {
    const byHand = { ...ctx, trigger: { type: 'cli' } };
    expect(renderString('{{ trigger.type }}', byHand)).toBe('cli');
    expect(templateError(() => renderString('{{ trigger.id }}', byHand)).message).toMatch(/started by cli, not by a trigger/);
    expect(templateError(() => renderString('{{ trigger.body }}', byHand)).message).toMatch(/no trigger body/);
    expect(templateError(() => renderString('{{ trigger.body.nope }}', started)).message).toMatch(/no value at trigger.body.nope/);
  });
});
