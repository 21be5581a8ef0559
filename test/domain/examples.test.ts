import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWorkflowDefinition } from '../../src/domain/parse-workflow-definition.ts';

const EXAMPLES = path.resolve(import.meta.dirname, '../../examples');
const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));

describe('examples', () => {
  it('has the documented examples', () => {
    expect(files.sort()).toEqual([
      'conditions.yaml',
      'deploy-service.yaml',
      'fan-out.yaml',
      'hello.yaml',
      'on-failure.yaml',
      'parallel-build.yaml',
      'plugin-demo.yaml',
      'scheduled-report.yaml',
      'sub-workflow.yaml',
    ]);
  });

  for (const file of files) {
    it(`${file} is a valid workflow whose id matches its file name`, () => {
      const def = parseWorkflowDefinition(readFileSync(path.join(EXAMPLES, file), 'utf8'));
      expect(def.id).toBe(path.basename(file, '.yaml').replaceAll('-', '_'));
    });
  }

  it('points only at documents the project has', () => {
    const root = path.resolve(EXAMPLES, '..');
    for (const file of files) {
      for (const [name] of readFileSync(path.join(EXAMPLES, file), 'utf8').matchAll(/[\w./-]+\.md\b/g)) {
        const found = [path.join(root, name), path.join(root, 'docs', name)].some((candidate) => existsSync(candidate));
        expect(found, `${file} mentions ${name}`).toBe(true);
      }
    }
  });

  it('ships the demo/echo plugin as an executable', () => {
    const plugin = path.join(EXAMPLES, 'plugins/demo/echo');
    expect(statSync(plugin).mode & 0o777).toBe(0o755);
    expect(() => accessSync(plugin, constants.X_OK)).not.toThrow();
    expect(readFileSync(plugin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});
