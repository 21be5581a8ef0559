import { describe, expect, it } from 'vitest';
import { version } from 'uuid';
import { isUuid, newId } from '../../src/domain/ids.ts';

describe('newId', () => {
  it('makes distinct version-7 ids that ascend in the order they were made, many in one millisecond', () => {
    const ids = Array.from({ length: 20_000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every((id) => isUuid(id) && version(id) === 7)).toBe(true);
  });

  it('starts with the current time in milliseconds', () => {
    const before = Date.now();
    const id = newId();
    const msecs = Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    expect(msecs).toBeGreaterThanOrEqual(before);
    expect(msecs).toBeLessThanOrEqual(Date.now() + 1);
  });
});
