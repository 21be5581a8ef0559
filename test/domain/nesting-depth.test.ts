import { describe, expect, it } from 'vitest';
import { jsonNestsDeeperThan, MAX_NESTING_DEPTH, valueNestsDeeperThan, yamlNestsDeeperThan } from '../../src/domain/nesting-depth.ts';

describe('nesting depth, measured before parsing', () => {
  it('counts JSON brackets outside strings only, escaped quotes included', () => {
    expect(jsonNestsDeeperThan('[[[]]]', 3)).toBe(false);
    expect(jsonNestsDeeperThan('[[[[]]]]', 3)).toBe(true);
    expect(jsonNestsDeeperThan('{"a":{"b":{"c":1}}}', 3)).toBe(false);
    expect(jsonNestsDeeperThan('{"a":{"b":{"c":{}}}}', 3)).toBe(true);
    expect(jsonNestsDeeperThan(`["${'['.repeat(100)}"]`, 3)).toBe(false);
    expect(jsonNestsDeeperThan(`["\\"${'['.repeat(100)}"]`, 3)).toBe(false);
    expect(jsonNestsDeeperThan(`["\\\\", ${'['.repeat(5)}`, 3)).toBe(true);
    expect(jsonNestsDeeperThan('['.repeat(200_000) + ']'.repeat(200_000))).toBe(true);
    expect(jsonNestsDeeperThan('['.repeat(MAX_NESTING_DEPTH) + ']'.repeat(MAX_NESTING_DEPTH))).toBe(false);
  });

  it('counts YAML flow and block nesting, not brackets in scalars', () => {
    expect(yamlNestsDeeperThan('a: [[[1]]]', 4)).toBe(false);
    expect(yamlNestsDeeperThan('a: [[[[[1]]]]]', 4)).toBe(true);
    expect(yamlNestsDeeperThan(`a: "${'['.repeat(50)}"\nb: '${'{'.repeat(50)}'\nc: x${'['.repeat(50)}`, 4)).toBe(false);
    expect(yamlNestsDeeperThan(`a:\n  ${'- '.repeat(10)}x`, 4)).toBe(true);
    expect(yamlNestsDeeperThan(`a:\n  ${'- '.repeat(10)}x`, 11)).toBe(false);
    expect(yamlNestsDeeperThan('a:\n  b:\n    c:\n      d:\n        e: 1', 4)).toBe(true);
    expect(yamlNestsDeeperThan('a:\n  b:\n    c: 1', 4)).toBe(false);
  });

  it('measures parsed values without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(valueNestsDeeperThan(deep)).toBe(true);
    expect(valueNestsDeeperThan({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(valueNestsDeeperThan({ a: [{ b: {} }] }, 3)).toBe(true);
  });
});
