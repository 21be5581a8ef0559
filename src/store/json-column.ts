/** JSON columns: written as text in both dialects, read back parsed whichever way the driver gave it. */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function toNullableJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

export function fromJson<T = unknown>(value: unknown): T {
  if (typeof value === 'string') return JSON.parse(value) as T;
  return value as T;
}
