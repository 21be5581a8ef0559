import { storableJson } from './storable-text.ts';

/** JSON columns: written as text in both dialects (made storable: see storable-text.ts), read back parsed. */
export function toJson(value: unknown): string {
  return storableJson(value);
}

export function toNullableJson(value: unknown): string | null {
  return value === undefined || value === null ? null : storableJson(value);
}

export function fromJson<T = unknown>(value: unknown): T {
  if (typeof value === 'string') return JSON.parse(value) as T;
  return value as T;
}
