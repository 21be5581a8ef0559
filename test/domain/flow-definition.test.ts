import { evaluateCondition } from '../../src/domain/expression.ts';
import { describe, expect, it } from 'vitest';
import { InvalidDefinitionError } from '../../src/domain/errors.ts';
import { parseWorkflowDefinition } from '../../src/domain/parse-workflow-definition.ts';

const FLOW = `
id: flow
name: Flow
inputs:
  env: { type: string, default: prod }
  servers: { type: array, default: [web1, web2] }
tasks:
  - id: each_server
    type: shell
    for_each: "{{ inputs.servers }}"
    concurrency: 2
    continue_on_failure: true
    with: { command: "echo $S", env: { S: "{{ item }}", I: "{{ index }}" } }
  - id: prod_only
    type: log
    needs: [each_server]
    if: "inputs.env == 'prod' && size(tasks.each_server.output) > 0"
    with: { message: "prod! {{ execution.id }}" }
  - id: child
    type: workflow
    needs: [prod_only]
    with: { workflow: hello, inputs: { name: "{{ inputs.env }}" } }
on_failure:
  - id: notify
    type: log
    with: { message: "{{ execution.workflow_id }} failed" }
`;

function problems(text: string): string[] {
  try {
    parseWorkflowDefinition(text);
    return [];
  } catch (e: unknown) {
    if (e instanceof InvalidDefinitionError) return e.problems;
    throw e;
  }
}

/** FLOW with `from` replaced by `to` (the replacement must happen). */
function changed(from: string, to: string): string {
  if (!FLOW.includes(from)) throw new Error(`not in FLOW: ${from}`);
  return FLOW.replace(from, to);
}

describe('flow keys in definitions', () => {
  it('reads if, for_each, concurrency, continue_on_failure, workflow tasks and on_failure', () => {
    const def = parseWorkflowDefinition(FLOW);
    expect(def.tasks[0]).toMatchObject({ for_each: '{{ inputs.servers }}', concurrency: 2, continue_on_failure: true });
    expect(def.tasks[1]!.if).toBe("inputs.env == 'prod' && size(tasks.each_server.output) > 0");
    expect(def.tasks[2]).toMatchObject({ type: 'workflow', with: { workflow: 'hello', inputs: { name: '{{ inputs.env }}' } } });
    expect(def.on_failure).toEqual([{ id: 'notify', type: 'log', needs: [], with: { message: '{{ execution.workflow_id }} failed' } }]);
  });

  it('leaves on_failure out when there is none', () => {
    expect(parseWorkflowDefinition(FLOW.slice(0, FLOW.indexOf('\non_failure:')))).not.toHaveProperty('on_failure');
  });

  it.each([
    [
      'an if that does not parse',
      changed(`if: "inputs.env == 'prod' && size(tasks.each_server.output) > 0"`, `if: "inputs.env =="`),
      ['tasks[1].if: cannot read expression "inputs.env ==": Unexpected token: EOF'],
    ],
    [
      'an if naming an unknown variable',
      changed(`if: "inputs.env == 'prod' && size(tasks.each_server.output) > 0"`, `if: "env == 'prod'"`),
      ['tasks[1].if: cannot read expression "env == \'prod\'": Unknown variable: env'],
    ],
    [
      'an if naming a task that is not upstream',
      changed(`if: "inputs.env == 'prod' && size(tasks.each_server.output) > 0"`, `if: "tasks.child.output.status == 'ok'"`),
      ['tasks[1].if: references task "child" which is not among its needs'],
    ],
    [
      'an if whose matches() pattern could backtrack without bound',
      changed(`if: "inputs.env == 'prod' && size(tasks.each_server.output) > 0"`, `if: "inputs.env.matches('(a+)+b')"`),
      [
        'tasks[1].if: cannot read expression "inputs.env.matches(\'(a+)+b\')": matches() pattern "(a+)+b" could take unbounded time (nested quantifiers); simplify it',
      ],
    ],
    [
      'an if whose matches() pattern is not a literal',
      changed(`if: "inputs.env == 'prod' && size(tasks.each_server.output) > 0"`, `if: "inputs.env.matches(inputs.pattern)"`),
      [
        'tasks[1].if: cannot read expression "inputs.env.matches(inputs.pattern)": matches() takes a string literal as its pattern (a pattern from a variable could take unbounded time)',
      ],
    ],
    [
      'a for_each that does not parse',
      changed('for_each: "{{ inputs.servers }}"', 'for_each: "{{ inputs.servers[ }}"'),
      [expect.stringMatching(/^tasks\[0\]\.for_each: cannot read expression "inputs\.servers\[": /)],
    ],
    [
      'concurrency without for_each',
      changed('    type: log\n    needs: [each_server]', '    type: log\n    concurrency: 3\n    needs: [each_server]'),
      ['tasks[1].concurrency: only applies with for_each'],
    ],
    ['concurrency of 0', changed('concurrency: 2', 'concurrency: 0'), ['tasks[0].concurrency: must be at least 1']],
    [
      'item outside a for_each task',
      changed('message: "prod! {{ execution.id }}"', 'message: "{{ item.name }}"'),
      ['tasks[1].with.message: "item.name" is only set in a task with for_each'],
    ],
    [
      'an unknown execution field',
      changed('message: "prod! {{ execution.id }}"', 'message: "{{ execution.secret }}"'),
      [
        'tasks[1].with.message: expected execution.<field> (id, workflow_id, workflow_version, trigger, correlation_id, parent_execution_id) in "execution.secret"',
      ],
    ],
    ['a workflow task without its workflow', changed('with: { workflow: hello, ', 'with: { '), ['tasks[2].with.workflow: required']],
    [
      'an on_failure task with the id of a task',
      changed('  - id: notify', '  - id: child'),
      ['on_failure[0].id: duplicate task id "child"'],
    ],
    [
      'an on_failure task needing a main task',
      changed('  - id: notify\n    type: log', '  - id: notify\n    type: log\n    needs: [child]'),
      ['on_failure[0].needs: "child" is in tasks; a task needs tasks of its own list'],
    ],
    [
      'an unknown key in an on_failure task',
      changed('  - id: notify\n', '  - id: notify\n    when: always\n'),
      ['on_failure[0].when: unknown field'],
    ],
    [
      'for_each on a manual step',
      changed('    type: shell\n    for_each', '    type: manual\n    for_each'),
      ['tasks[0].for_each: not available on manual steps'],
    ],
  ])('refuses %s', (_name, text, expected) => {
    expect(problems(text)).toEqual(expected);
  });

  it('accepts a matches() with a literal pattern without nested quantifiers, and evaluates it', () => {
    expect(
      problems(changed(`if: "inputs.env == 'prod' && size(tasks.each_server.output) > 0"`, `if: "inputs.env.matches('^pro?d')"`)),
    ).toEqual([]);
    const variables = { inputs: { env: 'prod' }, tasks: {}, execution: {}, trigger: {} };
    expect(evaluateCondition("inputs.env.matches('^pro?d')", variables)).toBe(true);
    expect(evaluateCondition("inputs.env.matches('^staging')", variables)).toBe(false);
    expect(() => evaluateCondition("inputs.env.matches('(a+)+b')", variables)).toThrow(/unbounded time/);
  });

  it('keeps {{ item }} literal in a task without for_each (other template languages use it)', () => {
    expect(problems(changed('message: "prod! {{ execution.id }}"', 'message: "{{ item }} {{ index }}"'))).toEqual([]);
  });
});
