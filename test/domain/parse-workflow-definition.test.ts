import { describe, expect, it } from 'vitest';
import { InvalidDefinitionError } from '../../src/domain/errors.ts';
import { parseWorkflowDefinition, topologicalOrder } from '../../src/domain/parse-workflow-definition.ts';

/** The example of DESIGN.md, "Definition format". */
const DESIGN_EXAMPLE = `
id: deploy_service
name: Deploy a service
inputs:
  server:    { type: string, required: true }
  api_token: { type: string, secret: true }
doc: |
  # Deploy to {{ inputs.server }}
  Check the dashboard before you start.
timeout: 30m
tasks:
  - id: fetch_release
    type: http
    with: { method: GET, url: "https://releases.example.com/latest",
            headers: { authorization: "Bearer {{ inputs.api_token }}" } }
  - id: build
    type: shell
    needs: [fetch_release]
    with: { command: "make build VERSION={{ tasks.fetch_release.output.body.version }}" }
    retry: { max: 3, backoff: 2s }
    timeout: 5m
  - id: announce
    type: log
    needs: [build]
    with: { level: INFO, message: "built for {{ inputs.server }}" }
  - id: pause
    type: sleep
    needs: [build]
    with: { duration: 1s }
  - id: verify
    type: manual
    needs: [announce, pause]
    with: { description: "Open the dashboard and attach a screenshot of the health panel." }
`;

/** Loosely typed on purpose: each test breaks the definition in a way its type would forbid. */
type Loose = any;

/** A valid definition as an object, to be broken one field at a time. */
function base(): Record<string, Loose> {
  return {
    id: 'deploy_service',
    name: 'Deploy',
    inputs: { server: { type: 'string', required: true } },
    tasks: [
      { id: 'build', type: 'shell', with: { command: 'make' } },
      { id: 'deploy', type: 'shell', needs: ['build'], with: { command: 'make deploy' } },
      { id: 'notify', type: 'log', needs: ['deploy'], with: { message: 'done' } },
    ],
  };
}

function problemsOf(source: unknown, format?: 'yaml' | 'json'): string[] {
  try {
    parseWorkflowDefinition(source, format);
  } catch (e: unknown) {
    if (e instanceof InvalidDefinitionError) return e.problems;
    throw e;
  }
  throw new Error('expected InvalidDefinitionError');
}

function problemsWith(change: (def: Record<string, Loose>) => void): string[] {
  const def = base();
  change(def);
  return problemsOf(def);
}

describe('parseWorkflowDefinition: valid definitions', () => {
  it('reads the DESIGN example and fills in defaults', () => {
    const def = parseWorkflowDefinition(DESIGN_EXAMPLE);
    expect(def.id).toBe('deploy_service');
    expect(def.timeout).toBe('30m');
    expect(def.doc).toBe('# Deploy to {{ inputs.server }}\nCheck the dashboard before you start.\n');
    expect(def.inputs).toEqual({
      server: { type: 'string', required: true, secret: false },
      api_token: { type: 'string', required: false, secret: true },
    });
    expect(def.tasks[0]).toEqual({
      id: 'fetch_release',
      type: 'http',
      needs: [],
      with: {
        method: 'GET',
        url: 'https://releases.example.com/latest',
        headers: { authorization: 'Bearer {{ inputs.api_token }}' },
      },
    });
    expect(def.tasks[1]).toEqual({
      id: 'build',
      type: 'shell',
      needs: ['fetch_release'],
      with: { command: 'make build VERSION={{ tasks.fetch_release.output.body.version }}' },
      retry: { max: 3, backoff: '2s' },
      timeout: '5m',
    });
    expect(topologicalOrder(def)).toEqual(['fetch_release', 'build', 'announce', 'pause', 'verify']);
  });

  it('reads JSON text and already-parsed objects alike', () => {
    const json = JSON.stringify(base());
    expect(parseWorkflowDefinition(json, 'json')).toEqual(parseWorkflowDefinition(base()));
    expect(parseWorkflowDefinition(json)).toEqual(parseWorkflowDefinition(base()));
  });

  it('normalises: default input type, retry backoff, needs shorthand, upper-cased methods and levels', () => {
    const def = parseWorkflowDefinition({
      id: 'w',
      name: '  Trimmed  ',
      inputs: { n: { default: 'x' } },
      tasks: [
        { id: 'a', type: 'http', with: { url: 'http://localhost', method: 'post' }, retry: { max: 2 } },
        { id: 'b', type: 'log', needs: 'a', with: { message: 'm', level: 'warn' } },
        { id: 'c', type: 'http', needs: ['a', 'a'], with: { url: 'u', method: '{{ inputs.n }}' } },
      ],
    });
    expect(def.name).toBe('Trimmed');
    expect(def.inputs.n).toEqual({ type: 'string', default: 'x', required: false, secret: false });
    expect(def.tasks.map((t) => [t.needs, t.with, t.retry])).toEqual([
      [[], { url: 'http://localhost', method: 'POST' }, { max: 2, backoff: '1s' }],
      [['a'], { message: 'm', level: 'WARN' }, undefined],
      [['a'], { url: 'u', method: '{{ inputs.n }}' }, undefined],
    ]);
  });

  it('leaves foreign braces alone (a docker --format string is not a template)', () => {
    const def = parseWorkflowDefinition({
      ...base(),
      tasks: [{ id: 'a', type: 'shell', with: { command: "docker inspect --format '{{.State.Running}}' web" } }],
    });
    expect(def.tasks[0]?.with.command).toBe("docker inspect --format '{{.State.Running}}' web");
  });
});

describe('parseWorkflowDefinition: one problem per rule, with its path', () => {
  const cases: Array<[string, (def: Record<string, Loose>) => void, string[]]> = [
    ['bad workflow id', (d) => (d.id = 'Deploy-Service'), ['id: must match [a-z][a-z0-9_]*']],
    ['long workflow id', (d) => (d.id = 'a'.repeat(65)), ['id: must be at most 64 characters']],
    ['id of wrong type', (d) => (d.id = 7), ['id: must be a string']],
    ['missing name', (d) => delete d.name, ['name: required']],
    ['empty name', (d) => (d.name = ' '), ['name: must not be empty']],
    ['unknown top-level field', (d) => (d.descripton = 'x'), ['descripton: unknown field']],
    ['doc not a string', (d) => (d.doc = ['x']), ['doc: must be a string']],
    ['bad timeout', (d) => (d.timeout = '5 minutes'), ['timeout: invalid duration "5 minutes"']],
    ['unitless timeout', (d) => (d.timeout = 30), ['timeout: invalid duration 30 (write a unit, e.g. "30s")']],
    ['zero timeout', (d) => (d.timeout = '0s'), ['timeout: must be greater than 0']],
    [
      'bad input type',
      (d) => (d.inputs.server.type = 'text'),
      ['inputs.server.type: must be one of string, number, integer, boolean, object, array'],
    ],
    ['unknown input field', (d) => (d.inputs.server.requried = true), ['inputs.server.requried: unknown field']],
    ['input required not boolean', (d) => (d.inputs.server.required = 'yes'), ['inputs.server.required: must be true or false']],
    ['bad input name', (d) => (d.inputs['Server-Name'] = {}), ['inputs.Server-Name: name must match [a-z][a-z0-9_]*']],
    ['input not an object', (d) => (d.inputs.server = 'string'), ['inputs.server: must be an object']],
    ['default of wrong type', (d) => (d.inputs.count = { type: 'integer', default: 1.5 }), ['inputs.count.default: must be an integer']],
    ['string default by default', (d) => (d.inputs.name = { default: 3 }), ['inputs.name.default: must be a string']],
    ['boolean default', (d) => (d.inputs.dry = { type: 'boolean', default: 'no' }), ['inputs.dry.default: must be true or false']],
    ['no tasks', (d) => (d.tasks = []), ['tasks: must not be empty']],
    ['tasks not an array', (d) => (d.tasks = {}), ['tasks: must be an array']],
    ['bad task id', (d) => (d.tasks[2].id = '3rd'), ['tasks[2].id: must match [a-z][a-z0-9_]*']],
    ['missing task id', (d) => delete d.tasks[2].id, ['tasks[2].id: required']],
    ['duplicate task id', (d) => (d.tasks[2].id = 'build'), ['tasks[2].id: duplicate task id "build"']],
    [
      'bad task type',
      (d) => (d.tasks[0].type = 'bash'),
      ['tasks[0].type: must be one of shell, http, log, sleep, plugin, manual, workflow'],
    ],
    ['unknown task field', (d) => (d.tasks[1].neds = ['build']), ['tasks[1].neds: unknown field']],
    ['unknown need', (d) => (d.tasks[2].needs = ['biuld']), ['tasks[2].needs: unknown task "biuld"']],
    ['self need', (d) => (d.tasks[0].needs = ['build']), ['tasks[0].needs: a task cannot need itself']],
    ['needs not strings', (d) => (d.tasks[1].needs = [1]), ['tasks[1].needs[0]: must be a string']],
    ['with not an object', (d) => (d.tasks[0].with = 'make'), ['tasks[0].with: must be an object']],
    ['retry max too big', (d) => (d.tasks[0].retry = { max: 101 }), ['tasks[0].retry.max: must be at most 100']],
    ['retry max negative', (d) => (d.tasks[0].retry = { max: -1 }), ['tasks[0].retry.max: must be at least 0']],
    ['retry max fractional', (d) => (d.tasks[0].retry = { max: 1.5 }), ['tasks[0].retry.max: must be an integer']],
    ['retry max missing', (d) => (d.tasks[0].retry = { backoff: '1s' }), ['tasks[0].retry.max: required']],
    ['bad backoff', (d) => (d.tasks[0].retry = { max: 1, backoff: 'soon' }), ['tasks[0].retry.backoff: invalid duration "soon"']],
    ['unknown retry field', (d) => (d.tasks[0].retry = { max: 1, delay: '1s' }), ['tasks[0].retry.delay: unknown field']],
    ['bad task timeout', (d) => (d.tasks[0].timeout = '10 secs'), ['tasks[0].timeout: invalid duration "10 secs"']],
    ['shell without command', (d) => (d.tasks[0].with = {}), ['tasks[0].with.command: required']],
    ['shell with empty command', (d) => (d.tasks[0].with = { command: ' ' }), ['tasks[0].with.command: must not be empty']],
    ['shell command not a string', (d) => (d.tasks[0].with = { command: ['make'] }), ['tasks[0].with.command: must be a string']],
    ['shell without with', (d) => delete d.tasks[0].with, ['tasks[0].with.command: required']],
    ['http without url', (d) => (d.tasks[0] = { id: 'build', type: 'http' }), ['tasks[0].with.url: required']],
    [
      'http bad method',
      (d) => (d.tasks[0] = { id: 'build', type: 'http', with: { url: 'u', method: 'FETCH' } }),
      ['tasks[0].with.method: must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS'],
    ],
    [
      'shell bad stderrLevel',
      (d) => (d.tasks[0].with = { command: 'make', stderrLevel: 'LOUD' }),
      ['tasks[0].with.stderrLevel: must be one of DEBUG, INFO, WARN, ERROR'],
    ],
    ['log without message', (d) => (d.tasks[2].with = {}), ['tasks[2].with.message: required']],
    [
      'log bad level',
      (d) => (d.tasks[2].with = { message: 'm', level: 'LOUD' }),
      ['tasks[2].with.level: must be one of DEBUG, INFO, WARN, ERROR'],
    ],
    ['sleep without duration', (d) => (d.tasks[2] = { id: 'notify', type: 'sleep' }), ['tasks[2].with.duration: required']],
    [
      'sleep bad duration',
      (d) => (d.tasks[2] = { id: 'notify', type: 'sleep', with: { duration: '5 minutes' } }),
      ['tasks[2].with.duration: invalid duration "5 minutes"'],
    ],
    [
      'sleep negative duration',
      (d) => (d.tasks[2] = { id: 'notify', type: 'sleep', with: { duration: -5 } }),
      ['tasks[2].with.duration: invalid duration -5'],
    ],
    [
      'plugin bad name',
      (d) => (d.tasks[2] = { id: 'notify', type: 'plugin', with: { plugin: '../../bin/sh' } }),
      ['tasks[2].with.plugin: must match namespace/name'],
    ],
    ['plugin without name', (d) => (d.tasks[2] = { id: 'notify', type: 'plugin' }), ['tasks[2].with.plugin: required']],
    [
      'plugin bad action',
      (d) => (d.tasks[2] = { id: 'notify', type: 'plugin', with: { plugin: 'demo/echo', action: '--help' } }),
      ['tasks[2].with.action: must match ^[A-Za-z0-9][A-Za-z0-9_.-]*$'],
    ],
    [
      'manual description not a string',
      (d) => (d.tasks[2] = { id: 'notify', type: 'manual', with: { description: 5 } }),
      ['tasks[2].with.description: must be a string'],
    ],
    [
      'template to a task outside needs',
      (d) => (d.tasks[0].with.command = 'make {{ tasks.deploy.output.stdout }}'),
      ['tasks[0].with.command: references task "deploy" which is not among its needs'],
    ],
    [
      'template to an undeclared input, nested',
      (d) => (d.tasks[0].with.env = { HOST: '{{ inputs.host }}' }),
      ['tasks[0].with.env.HOST: references undeclared input "host"'],
    ],
    [
      'template with an unknown root',
      (d) => (d.tasks[0].with.command = 'make {{ input.server }}'),
      [
        'tasks[0].with.command: unknown reference "input.server" (expected inputs.<name>, tasks.<id>.output, secrets.<NAME>, trigger.body, execution.<field> or, with for_each, item)',
      ],
    ],
    [
      'template to a task without .output',
      (d) => (d.tasks[1].with.command = '{{ tasks.build.stdout }}'),
      ['tasks[1].with.command: expected tasks.<id>.output in "tasks.build.stdout"'],
    ],
    [
      'template to a bad secret name',
      (d) => (d.tasks[0].with.args = ['x', '{{ secrets.db.password }}']),
      ['tasks[0].with.args[1]: expected secrets.<NAME> in "secrets.db.password"'],
    ],
    ['doc with an undeclared input', (d) => (d.doc = 'Deploy to {{ inputs.host }}'), ['doc: references undeclared input "host"']],
    ['not an object at all', (d) => Object.assign(d, { tasks: 'x' }), ['tasks: must be an array']],
  ];

  for (const [name, change, expected] of cases) {
    it(name, () => expect(problemsWith(change)).toEqual(expected));
  }

  it('accepts transitive needs in templates, and tasks.X.output paths of every shape', () => {
    const def = base();
    def.tasks[2].with.message = '{{ tasks.build.output.body.items[0]["a.b"] }} {{ tasks.deploy.output }} {{ secrets.TOKEN }}';
    expect(() => parseWorkflowDefinition(def)).not.toThrow();
  });

  it('names a cycle, following needs, from the earliest task in the file', () => {
    expect(
      problemsWith((d) => {
        d.tasks[0].needs = ['notify'];
      }),
    ).toEqual(['tasks: cycle build -> notify -> deploy -> build']);
  });

  it('names each separate cycle', () => {
    const problems = problemsOf({
      id: 'w',
      name: 'w',
      tasks: [
        { id: 'a', type: 'log', needs: ['b'], with: { message: 'm' } },
        { id: 'b', type: 'log', needs: ['a'], with: { message: 'm' } },
        { id: 'c', type: 'log', needs: ['d'], with: { message: 'm' } },
        { id: 'd', type: 'log', needs: ['c'], with: { message: 'm' } },
      ],
    });
    expect(problems).toEqual(['tasks: cycle a -> b -> a', 'tasks: cycle c -> d -> c']);
  });

  it('reports every problem at once, grouped in document order', () => {
    const problems = problemsOf(`
id: Bad-Id
neds: [x]
timeout: 5 minutes
inputs:
  count: { type: integer, default: "3" }
tasks:
  - id: build
    type: shell
    needs: [biuld]
    with: { command: "make {{ inputs.target }}" }
  - id: build
    type: sleep
    with: { duration: soon }
`);
    expect(problems).toEqual([
      'id: must match [a-z][a-z0-9_]*',
      'name: required',
      'inputs.count.default: must be an integer',
      'timeout: invalid duration "5 minutes"',
      'tasks[0].needs: unknown task "biuld"',
      'tasks[0].with.command: references undeclared input "target"',
      'tasks[1].id: duplicate task id "build"',
      'tasks[1].with.duration: invalid duration "soon"',
      'neds: unknown field',
    ]);
  });

  it('turns a YAML syntax error into one problem with line and column', () => {
    expect(problemsOf('id: hello\nname: x\ntasks:\n  - id: a\n   type: log\n')).toEqual([
      'yaml: line 5, column 1: Sequence item without - indicator',
    ]);
    expect(problemsOf('id: a\nid: b\n')).toEqual(['yaml: line 2, column 1: Map keys must be unique']);
  });

  it('turns a JSON syntax error into one problem with line and column', () => {
    expect(problemsOf('{\n  "id": "a",\n}', 'json')).toEqual(['json: line 3, column 1: Expected double-quoted property name']);
  });

  it('refuses what is not a mapping', () => {
    expect(problemsOf('- a\n- b\n')).toEqual(['definition: must be an object']);
    expect(problemsOf('')).toEqual(['definition: must be an object']);
    expect(problemsOf(null)).toEqual(['definition: must be an object']);
  });

  it('throws the registered error code', () => {
    const error = (() => {
      try {
        parseWorkflowDefinition({});
      } catch (e: unknown) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidDefinitionError);
    expect((error as InvalidDefinitionError).code).toBe('INVALID_DEFINITION');
    expect((error as InvalidDefinitionError).problems).toEqual(['id: required', 'name: required', 'tasks: required']);
  });
});

describe('topologicalOrder', () => {
  it('respects needs and otherwise keeps file order', () => {
    const def = parseWorkflowDefinition({
      id: 'w',
      name: 'w',
      tasks: [
        { id: 'join', type: 'log', needs: ['left', 'right'], with: { message: 'm' } },
        { id: 'right', type: 'log', needs: ['root'], with: { message: 'm' } },
        { id: 'left', type: 'log', needs: ['root'], with: { message: 'm' } },
        { id: 'root', type: 'log', with: { message: 'm' } },
      ],
    });
    expect(topologicalOrder(def)).toEqual(['root', 'right', 'left', 'join']);
  });

  it('refuses a cyclic definition that bypassed validation', () => {
    const def = parseWorkflowDefinition(base());
    def.tasks[0]!.needs = ['notify'];
    expect(() => topologicalOrder(def)).toThrow('tasks: cycle among build, deploy, notify');
  });
});
