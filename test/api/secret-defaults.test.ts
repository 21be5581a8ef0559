import { afterEach, beforeEach, expect, it } from 'vitest';
import { createHarness, type ExecutionView, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

const QUOTED = "it's-a-default-secret";
const LEAF = 'leaf-default-Pw9';

const YAML_SOURCE = `# the deploy workflow
id: with_defaults
name: With defaults
inputs:
  token:
    type: string
    secret: true
    default: '${QUOTED.replace("'", "''")}' # kept for the night shift
  creds:
    type: object
    secret: true
    default: { user: ops, password: ${LEAF} }
  region: { type: string, default: eu-west-1 }
tasks:
  - id: use
    type: shell
    with:
      env: { T: "{{ inputs.token }}", P: "{{ inputs.creds.password }}" }
      command: printf '%s %s' "\${#T}" "\${#P}"
`;

describeEachDialect('secret defaults are shown to nobody', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('masks them in the definition and in the YAML source as written, and a run still uses them', async () => {
    const applied = await h.api<{ definition: { inputs: Record<string, { default?: unknown }> } }>('POST', '/v1/workflows', YAML_SOURCE);
    expect(applied.status).toBe(201);
    expect(JSON.stringify(applied.body)).not.toContain(LEAF);
    for (const url of ['/v1/workflows/with_defaults', '/v1/workflows/with_defaults/versions', '/v1/workflows/with_defaults/versions/1']) {
      const res = await h.api<string>('GET', url);
      expect(res.status, url).toBe(200);
      const text = JSON.stringify(res.body);
      for (const form of [QUOTED, QUOTED.replace("'", "''"), LEAF]) expect(text, `${url} shows ${form}`).not.toContain(form);
    }
    const detail = (await h.api<{ definition: { inputs: Record<string, { default?: unknown }> } }>('GET', '/v1/workflows/with_defaults'))
      .body;
    expect(detail.definition.inputs.token?.default).toBe('***');
    expect(detail.definition.inputs.creds?.default).toBe('***');
    expect(detail.definition.inputs.region?.default).toBe('eu-west-1');
    const version = (await h.api<{ source: string }>('GET', '/v1/workflows/with_defaults/versions/1')).body;
    // the source is still the document as written: its comments and other values stay
    expect(version.source).toContain('# the deploy workflow');
    expect(version.source).toContain('# kept for the night shift');
    expect(version.source).toContain('eu-west-1');

    const e: ExecutionView = await h.runToEnd('with_defaults');
    expect(e.status).toBe('completed');
    expect((e.taskRuns[0]?.output as { stdout: string }).stdout).toBe(`${QUOTED.length} ${LEAF.length}`);
    expect(e.inputs).toMatchObject({ token: '***', creds: '***', region: 'eu-west-1' });
  });

  it('masks them in a JSON definition too', async () => {
    await h.apply({
      id: 'json_defaults',
      name: 'JSON defaults',
      inputs: { list: { type: 'array', secret: true, default: ['a', LEAF] } },
      tasks: [{ id: 'noop', type: 'log', with: { message: 'hi' } }],
    });
    const res = await h.api<{ source: string; definition: { inputs: { list: { default: unknown } } } }>(
      'GET',
      '/v1/workflows/json_defaults/versions/1',
    );
    expect(res.body.definition.inputs.list.default).toBe('***');
    expect(res.body.source).not.toContain(LEAF);
    expect(JSON.parse(res.body.source)).toMatchObject({ inputs: { list: { default: '***' } } });
  });
});
