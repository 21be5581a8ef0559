import { toError } from '../domain/task-failure.ts';

/** What a secret is replaced with. */
export const MASK = '***';

/**
 * Secrets shorter than this are not masked. Masking every `abc` in every log line would make output
 * unreadable while protecting nothing a guesser could not find anyway; such a secret is a
 * configuration mistake, not something masking can save.
 */
export const MIN_SECRET_LENGTH = 4;

/**
 * A base64 form of a secret that starts mid-group (the secret embedded after other bytes, as in
 * `Basic base64(user:password)`) only has a stable middle. Middles shorter than this are skipped:
 * they would mask unrelated base64 too often.
 */
const MIN_EMBEDDED_BASE64_LENGTH = 8;

/** Masks text that arrives in chunks; see `Masker.createStreamMasker`. */
export interface StreamMasker {
  /** Adds a chunk; returns the masked text that is safe to emit now (possibly empty). */
  push(chunk: string): string;
  /** Returns the masked rest held back so far. Call once, when the stream ends. */
  end(): string;
}

/**
 * Replaces secret values with `***` before anything is stored (DESIGN invariant 3, "Mask before
 * persist"). Each secret is masked as written and in the forms it commonly travels in: base64
 * (standard and URL-safe, padded or not, also when embedded in a longer base64 text), URL-encoded and
 * JSON-escaped. Where matches overlap, the union is masked, so overlapping secrets leak nothing.
 *
 * Strings must be decoded before masking (a multi-byte character split between two byte chunks must
 * go through a streaming decoder first), since a secret is matched as text.
 */
export class Masker {
  readonly #secrets = new Set<string>();
  /** Every form of every secret, unique, longest first. */
  #forms: string[] = [];
  /** The same forms as UTF-8 bytes, for `safeCut`. */
  #byteForms: Buffer[] = [];

  constructor(secrets: Iterable<string> = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** The secrets themselves (what a child execution inherits from its parent). */
  get secrets(): string[] {
    return [...this.#secrets];
  }

  /**
   * Adds a secret learned later (for example a value a task passes on). Text already masked or
   * emitted by a stream masker is not revisited. Secrets shorter than `MIN_SECRET_LENGTH` are ignored.
   */
  add(secret: string): void {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH || this.#secrets.has(secret)) return;
    this.#secrets.add(secret);
    const forms = new Set(this.#forms);
    for (const form of secretForms(secret)) if (form.length >= MIN_SECRET_LENGTH) forms.add(form);
    this.#forms = [...forms].sort((a, b) => b.length - a.length);
    this.#byteForms = this.#forms.map((form) => Buffer.from(form, 'utf8'));
  }

  /**
   * Where text may be cut at or before byte `cut` of `bytes` (UTF-8) without cutting any form of a
   * secret in two, also one whose end has not arrived yet: the start of the earliest form that crosses
   * `cut`, or `cut` itself. A form that starts at byte 0 cannot be kept whole (it is longer than the
   * piece), so `cut` is returned then.
   */
  safeCut(bytes: Buffer, cut: number): number {
    let safe = cut;
    for (const form of this.#byteForms) {
      for (let start = Math.max(1, cut - form.length + 1); start < safe; start++) {
        const seen = Math.min(form.length, bytes.length - start);
        if (bytes.compare(form, 0, seen, start, start + seen) === 0) {
          safe = start;
          break;
        }
      }
    }
    return safe;
  }

  /** Number of secrets masked. */
  get size(): number {
    return this.#secrets.size;
  }

  /** `text` with every secret form replaced by `***`. */
  mask(text: string): string {
    if (this.#forms.length === 0 || text.length === 0) return text;
    return render(text, findMatches(text, this.#forms), text.length);
  }

  /**
   * A deep copy of `value` with every string masked, object keys included. A number whose digits
   * contain a secret becomes the masked string: its digits would otherwise reach the store. Errors are
   * masked with `maskError`; cycles become `"[Circular]"`.
   */
  maskValue(value: unknown): unknown {
    if (this.#forms.length === 0) return value;
    return this.#maskValue(value, new WeakSet());
  }

  /**
   * A copy of `error` (of the same class, so `instanceof` still holds) with its message, stack and
   * every own property masked. Anything thrown that is not an Error is turned into one first.
   */
  maskError(error: unknown): Error {
    const e = toError(error);
    if (this.#forms.length === 0) return e;
    return this.#maskError(e, new WeakSet());
  }

  /**
   * A masker for text arriving in chunks (a process's stdout). A secret split across chunks is still
   * masked: the tail of the text that could be the start of a secret is held back until the next chunk
   * shows whether it is one. At most the longest secret form is held. Secrets added to this masker
   * later apply to text pushed afterwards.
   */
  createStreamMasker(): StreamMasker {
    let held = '';
    return {
      push: (chunk: string): string => {
        const text = held + chunk;
        if (this.#forms.length === 0) {
          held = '';
          return text;
        }
        const matches = findMatches(text, this.#forms);
        let cut = text.length - longestPendingPrefix(text, this.#forms);
        // A match must not be cut in two: its first half would be emitted unmasked.
        for (const [start, end] of matches) if (start < cut && cut < end) cut = start;
        held = text.slice(cut);
        return render(text, matches, cut);
      },
      end: (): string => {
        const rest = this.mask(held);
        held = '';
        return rest;
      },
    };
  }

  #maskValue(value: unknown, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') return this.mask(value);
    if (typeof value === 'number' || typeof value === 'bigint') {
      const text = String(value);
      const masked = this.mask(text);
      return masked === text ? value : masked;
    }
    if (typeof value !== 'object' || value === null || value instanceof Date) return value;
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    try {
      if (value instanceof Error) return this.#maskError(value, seen);
      if (Array.isArray(value)) return value.map((item) => this.#maskValue(item, seen));
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) out[this.mask(key)] = this.#maskValue(item, seen);
      return out;
    } finally {
      // Only ancestors count as cycles: the same object twice side by side is masked twice.
      seen.delete(value);
    }
  }

  #maskError(error: Error, seen: WeakSet<object>): Error {
    const copy = Object.create(Object.getPrototypeOf(error) as object | null) as Error;
    seen.add(error);
    for (const key of Object.getOwnPropertyNames(error)) {
      const descriptor = Object.getOwnPropertyDescriptor(error, key);
      if (descriptor === undefined || !('value' in descriptor)) continue;
      Object.defineProperty(copy, key, { ...descriptor, value: this.#maskValue(descriptor.value, seen) });
    }
    seen.delete(error);
    return copy;
  }
}

/** The secret itself and its encoded forms. */
function secretForms(secret: string): string[] {
  const forms = [secret, JSON.stringify(secret).slice(1, -1)];
  const uri = encodeURIComponent(secret);
  forms.push(uri, uri.replaceAll('%20', '+'), encodeURI(secret), ...urlParserForms(secret));
  const bytes = Buffer.from(secret, 'utf8');
  for (const base64 of [bytes.toString('base64'), bytes.toString('base64url')]) {
    const unpadded = base64.replace(/=+$/, '');
    forms.push(unpadded, unpadded.padEnd(Math.ceil(unpadded.length / 4) * 4, '='));
  }
  // Embedded in longer data the secret starts at byte offset 0, 1 or 2 of a 3-byte group; only the
  // groups made wholly of secret bytes encode the same whatever surrounds them.
  for (const shift of [0, 1, 2]) {
    const shifted = Buffer.concat([Buffer.alloc(shift), bytes]);
    const firstGroup = shift === 0 ? 0 : 1;
    const lastGroup = Math.floor(shifted.length / 3);
    if ((lastGroup - firstGroup) * 4 < MIN_EMBEDDED_BASE64_LENGTH) continue;
    const middle = shifted.toString('base64').slice(firstGroup * 4, lastGroup * 4);
    forms.push(middle, middle.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return forms;
}

/**
 * The secret as the WHATWG URL parser writes it back (what `new URL(…).href` and fetch's errors show):
 * in a path, a query, a fragment, a form-encoded parameter and a host name (lower-cased, punycode).
 */
function urlParserForms(secret: string): string[] {
  const forms: string[] = [];
  for (const prefix of ['http://h/', 'http://h/?', 'http://h/#']) {
    try {
      const href = new URL(prefix + secret).href;
      if (href.startsWith(prefix)) forms.push(href.slice(prefix.length));
    } catch {
      // not representable in that part of a URL: nothing to mask there
    }
  }
  try {
    forms.push(new URLSearchParams({ q: secret }).toString().slice(2));
    forms.push(new URL(`http://${secret}/`).hostname);
  } catch {
    // not a host name: the parser refuses it, so it never appears as one
  }
  return forms.filter((form) => form.length > 0 && form !== secret);
}

/** Every occurrence of every form (overlaps included), merged into sorted disjoint [start, end) spans. */
function findMatches(text: string, forms: readonly string[]): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const form of forms) {
    for (let i = text.indexOf(form); i !== -1; i = text.indexOf(form, i + 1)) spans.push([i, i + form.length]);
  }
  if (spans.length < 2) return spans;
  spans.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [spans[0] as [number, number]];
  for (const [start, end] of spans.slice(1)) {
    const last = merged[merged.length - 1] as [number, number];
    if (start < last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** `text[0, limit)` with the spans that lie wholly inside it replaced by the mask. */
function render(text: string, spans: ReadonlyArray<[number, number]>, limit: number): string {
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    if (end > limit) break;
    out += text.slice(at, start) + MASK;
    at = end;
  }
  return out + text.slice(at, limit);
}

/** Length of the longest tail of `text` that is a proper prefix of some form (a secret may be starting). */
function longestPendingPrefix(text: string, forms: readonly string[]): number {
  let longest = 0;
  for (const form of forms) {
    const from = Math.max(0, text.length - form.length + 1);
    for (let i = from; i < text.length - longest; i++) {
      if (text.charCodeAt(i) === form.charCodeAt(0) && form.startsWith(text.slice(i))) {
        longest = text.length - i;
        break;
      }
    }
  }
  return longest;
}
