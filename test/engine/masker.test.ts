import { describe, expect, it } from 'vitest';
import { TaskExecutionError } from '../../src/engine/task-handler.ts';
import { Masker, MIN_SECRET_LENGTH } from '../../src/engine/masker.ts';

/** A secret with characters every encoding treats differently: quote, slash, plus, space, non-ASCII. */
const SECRET = 'pa"ss/wörd+1 ?&>';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

describe('Masker.mask', () => {
  it('returns the input itself when there is nothing to mask', () => {
    const text = 'nothing to see';
    expect(new Masker().mask(text)).toBe(text);
    expect(new Masker(['', 'abc']).mask('abc abc')).toBe('abc abc');
    expect(new Masker(['abc']).size).toBe(0);
    expect(MIN_SECRET_LENGTH).toBe(4);
  });

  it('masks every occurrence of the secret', () => {
    const masker = new Masker(['hunter22']);
    expect(masker.mask('pw=hunter22, again hunter22hunter22.')).toBe('pw=***, again ******.');
  });

  it('masks the encoded forms', () => {
    const masker = new Masker([SECRET]);
    const padded = b64(SECRET);
    expect(padded.endsWith('=')).toBe(true);
    const forms = {
      plain: SECRET,
      base64: padded,
      base64Unpadded: padded.replace(/=+$/, ''),
      base64url: b64url(SECRET),
      base64urlPadded: b64url(SECRET).padEnd(padded.length, '='),
      uri: encodeURIComponent(SECRET),
      form: encodeURIComponent(SECRET).replaceAll('%20', '+'),
      json: JSON.stringify(SECRET).slice(1, -1),
    };
    expect(new Set(Object.values(forms)).size).toBe(8);
    for (const [name, form] of Object.entries(forms)) {
      expect(masker.mask(`<${form}>`), name).toBe('<***>');
    }
    expect(masker.mask(JSON.stringify({ password: SECRET }))).toBe('{"password":"***"}');
    expect(masker.mask(`https://h/?q=${encodeURIComponent(SECRET)}&x=1`)).toBe('https://h/?q=***&x=1');
  });

  it('masks base64 of a secret embedded in longer data, at every byte offset', () => {
    const secret = 'correct-horse-battery';
    const masker = new Masker([secret]);
    for (const prefix of ['', 'u:', 'us:', 'use:']) {
      for (const suffix of ['', '\n', 'xy']) {
        const encoded = b64(`${prefix}${secret}${suffix}`);
        const masked = masker.mask(`Authorization: Basic ${encoded}`);
        expect(masked, JSON.stringify(prefix + suffix)).toContain('***');
        // What is left visible is at most the group that mixes secret and surrounding bytes on each side.
        expect(masked.replace('Authorization: Basic ', '').replace('***', '').length).toBeLessThanOrEqual(12);
      }
    }
    // `echo "$SECRET" | base64` encodes a trailing newline.
    expect(masker.mask(b64(`${secret}\n`))).toBe(`***${b64(`${secret}\n`).slice(28)}`);
  });

  it('masks the longest form first and the union of overlapping secrets', () => {
    expect(new Masker(['abcd', 'abcdefgh']).mask('x abcdefgh y')).toBe('x *** y');
    expect(new Masker(['abcdef', 'defghi']).mask('-abcdefghi-')).toBe('-***-');
  });
});

describe('Masker.add', () => {
  it('masks secrets learned later, once each', () => {
    const masker = new Masker(['first-secret']);
    expect(masker.mask('first-secret second-secret')).toBe('*** second-secret');
    masker.add('second-secret');
    masker.add('second-secret');
    masker.add('xyz');
    expect(masker.size).toBe(2);
    expect(masker.mask('first-secret second-secret xyz')).toBe('*** *** xyz');
    expect(masker.mask(b64('second-secret'))).toBe('***');
  });
});

describe('Masker.createStreamMasker', () => {
  const secret = 'tok-3f9a77';
  const text = `start ${secret} middle ${b64(secret)} end ${secret}`;
  const expected = 'start *** middle *** end ***';

  const streamed = (masker: Masker, chunks: string[]): string => {
    const stream = masker.createStreamMasker();
    return chunks.map((c) => stream.push(c)).join('') + stream.end();
  };

  it('masks a secret split across two chunks, at every split point', () => {
    const masker = new Masker([secret]);
    for (let i = 0; i <= text.length; i++) {
      expect(streamed(masker, [text.slice(0, i), text.slice(i)]), `split at ${i}`).toBe(expected);
    }
  });

  it('masks a secret split across three chunks, at every pair of split points', () => {
    const masker = new Masker([secret]);
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j++) {
        expect(streamed(masker, [text.slice(0, i), text.slice(i, j), text.slice(j)])).toBe(expected);
      }
    }
  });

  it('masks a text arriving one character at a time', () => {
    expect(streamed(new Masker([secret]), [...text])).toBe(expected);
  });

  it('holds back only what could still become a secret', () => {
    const stream = new Masker([secret]).createStreamMasker();
    expect(stream.push('line one\n')).toBe('line one\n');
    expect(stream.push('value tok-3')).toBe('value ');
    expect(stream.push('f9a')).toBe('');
    expect(stream.push('77 done')).toBe('*** done');
    expect(stream.push(' tok-3f9a7X')).toBe(' tok-3f9a7X');
    expect(stream.push(' tok')).toBe(' ');
    expect(stream.end()).toBe('tok');
    expect(stream.end()).toBe('');
  });

  it('applies secrets added after the stream began to text pushed afterwards', () => {
    const masker = new Masker();
    const stream = masker.createStreamMasker();
    expect(stream.push('late-secret ')).toBe('late-secret ');
    masker.add('late-secret');
    expect(stream.push('late-sec')).toBe('');
    expect(stream.push('ret!')).toBe('***!');
    expect(stream.end()).toBe('');
  });

  it('passes text straight through when there are no secrets', () => {
    const stream = new Masker().createStreamMasker();
    expect(stream.push('abc')).toBe('abc');
    expect(stream.end()).toBe('');
  });
});

describe('Masker.maskValue', () => {
  const masker = new Masker(['hunter22', '31415926']);

  it('masks strings deep in objects and arrays, keys included, without touching the original', () => {
    const value = {
      user: 'admin',
      hunter22: 'key is a secret',
      nested: [{ password: 'hunter22', note: `b64 ${b64('hunter22')}` }, 'x', 7, true, null],
    };
    expect(masker.maskValue(value)).toEqual({
      user: 'admin',
      '***': 'key is a secret',
      nested: [{ password: '***', note: 'b64 ***' }, 'x', 7, true, null],
    });
    expect(value.nested[0]).toEqual({ password: 'hunter22', note: `b64 ${b64('hunter22')}` });
  });

  it('masks numbers whose digits contain a secret', () => {
    expect(masker.maskValue({ pin: 31415926, pi: 3.1415926, big: 314159265n, other: 42 })).toEqual({
      pin: '***',
      pi: 3.1415926,
      big: '***5',
      other: 42,
    });
  });

  it('keeps dates, replaces cycles, and masks errors inside values', () => {
    const date = new Date(0);
    const cyclic: Record<string, unknown> = { a: 'hunter22' };
    cyclic.self = cyclic;
    const shared = { s: 'hunter22' };
    const masked = masker.maskValue({ date, cyclic, twice: [shared, shared], error: new Error('bad hunter22') }) as {
      date: Date;
      cyclic: unknown;
      twice: unknown;
      error: Error;
    };
    expect(masked.date).toBe(date);
    expect(masked.cyclic).toEqual({ a: '***', self: '[Circular]' });
    expect(masked.twice).toEqual([{ s: '***' }, { s: '***' }]);
    expect(masked.error).toBeInstanceOf(Error);
    expect(masked.error.message).toBe('bad ***');
  });

  it('returns the value itself when there are no secrets', () => {
    const value = { a: 'b' };
    expect(new Masker().maskValue(value)).toBe(value);
  });
});

describe('Masker.maskError', () => {
  it('copies the error with message, stack and own properties masked, keeping its class', () => {
    const masker = new Masker(['hunter22']);
    const original = new TaskExecutionError('EXIT_CODE', 'login hunter22 failed', { stderr: 'hunter22 rejected' });
    const masked = masker.maskError(original);
    expect(masked).toBeInstanceOf(TaskExecutionError);
    expect(masked).not.toBe(original);
    expect(masked.message).toBe('login *** failed');
    expect(masked.name).toBe('TaskExecutionError');
    expect((masked as TaskExecutionError).code).toBe('EXIT_CODE');
    expect((masked as TaskExecutionError).output).toEqual({ stderr: '*** rejected' });
    expect(masked.stack).toContain('login *** failed');
    expect(masked.stack).not.toContain('hunter22');
    expect(original.message).toBe('login hunter22 failed');
  });

  it('masks causes and turns non-errors into errors', () => {
    const masker = new Masker(['hunter22']);
    const masked = masker.maskError(new Error('outer', { cause: new Error('inner hunter22') }));
    expect((masked.cause as Error).message).toBe('inner ***');
    expect(masker.maskError('thrown hunter22').message).toBe('thrown ***');
    expect(new Masker().maskError('plain').message).toBe('plain');
  });
});

describe('Masker: forms the URL parser writes', () => {
  const secrets = ['Sec ret/{x}"Ä#1?q=2', 'tok<en>`|^', 'MixedCaseHost.Example'];
  it('masks a secret normalised in a path, a query, a fragment, a form parameter and a host name', () => {
    const masker = new Masker(secrets);
    for (const secret of secrets.slice(0, 2)) {
      for (const url of [`http://h/${secret}`, `http://h/a?k=${secret}`, `http://h/#${secret}`]) {
        const href = new URL(url).href;
        expect(masker.mask(href), href).not.toContain(href.slice(href.indexOf(secret.slice(0, 3))));
        expect(masker.mask(href), href).toContain('***');
      }
      const form = new URLSearchParams({ k: secret }).toString();
      expect(masker.mask(form)).toBe('k=***');
    }
    expect(masker.mask(new URL('http://MixedCaseHost.Example/x').href)).toBe('http://***/x');
    expect(masker.mask('getaddrinfo ENOTFOUND mixedcasehost.example')).toBe('getaddrinfo ENOTFOUND ***');
  });
});

describe('Masker.safeCut', () => {
  const masker = new Masker(['cut-me-not-secret', 'zz"quoted"zz']);
  const bytes = (text: string) => Buffer.from(text, 'utf8');

  it('moves a cut that falls inside a secret, or one whose end has not arrived, back to its start', () => {
    const text = `${'a'.repeat(10)}cut-me-not-secret${'b'.repeat(10)}`;
    for (let cut = 11; cut < 10 + 17; cut++) expect(masker.safeCut(bytes(text), cut), `cut ${cut}`).toBe(10);
    // only the first half of the secret has arrived
    expect(masker.safeCut(bytes(`${'a'.repeat(10)}cut-me-n`), 14)).toBe(10);
    // its encoded forms are kept whole too
    expect(masker.safeCut(bytes(`aaaa${JSON.stringify('zz"quoted"zz').slice(1, -1)}`), 8)).toBe(4);
  });

  it('leaves a cut outside every secret, and a secret at the start of the piece, where it is', () => {
    expect(masker.safeCut(bytes(`${'a'.repeat(30)}cut-me-not-secret`), 20)).toBe(20);
    expect(masker.safeCut(bytes('cut-me-not-secret'), 5)).toBe(5);
    expect(masker.safeCut(bytes(`${'a'.repeat(10)}cut-me-nXt`), 14)).toBe(14);
    expect(new Masker().safeCut(bytes('anything'), 3)).toBe(3);
  });
});
