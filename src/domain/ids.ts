import { v7 as uuidv7, validate, version } from 'uuid';

/** Time-ordered ids: new rows land at the right-hand edge of every index. */
export function newId(): string {
  return uuidv7();
}

export function isUuid(value: string): boolean {
  return validate(value) && version(value) !== 0;
}
