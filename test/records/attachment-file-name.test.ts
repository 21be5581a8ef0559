import { describe, expect, it } from 'vitest';
import { contentDispositionFor, sanitizeFileName } from '../../src/records/attachment-file-name.ts';

const BIDI = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** What must hold for any input, whatever it was. */
function expectSafe(name: string): void {
  expect(name).not.toMatch(/[/\\\0]/);
  expect(name).not.toMatch(BIDI);
  expect(name).not.toMatch(/^\.\./);
  expect(name).not.toMatch(/^[. ]/);
  expect(name.length).toBeGreaterThan(0);
  expect(name.length).toBeLessThanOrEqual(200);
  expect(sanitizeFileName(name)).toBe(name);
}

describe('sanitizeFileName', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\system32', 'system32'],
    ['/etc/passwd', 'passwd'],
    ['C:\\x\\y.txt', 'y.txt'],
    ['reports/2024/', '2024'],
    ['%2F..%2Fx', '_2F.._2Fx'],
    ['inv\0oice.pdf', 'invoice.pdf'],
    ['evil\u202Egnp.exe', 'evilgnp.exe'],
    ['a\u2066b\u2069c\u200e\u200f\u200bd\ufeff.log', 'abcd.log'],
    ['bad\u0085name\u009b.txt', 'badname.txt'],
    ['  tabs\tand\nnew  lines .txt', 'tabs and new lines .txt'],
    ['.htaccess', 'htaccess'],
    ['name. . .', 'name'],
    ['', 'file'],
    ['...', 'file'],
    ['. . /..', 'file'],
    ['\u202E', 'file'],
    ['screen shot (1)+a,b@c.png', 'screen shot (1)+a,b@c.png'],
    ['rapport: "final"?<v2>*|.pdf', 'rapport_ _final___v2___.pdf'],
    ['報告 résumé.pdf', '報告 résumé.pdf'],
  ])('%j becomes %j', (raw, expected) => {
    const name = sanitizeFileName(raw);
    expect(name).toBe(expected);
    expectSafe(name);
  });

  it('normalises to NFC', () => {
    expect(sanitizeFileName('re\u0301sume\u0301.pdf')).toBe('r\u00e9sum\u00e9.pdf');
  });

  it('caps long names at 200 characters and keeps the extension', () => {
    const name = sanitizeFileName(`${'a'.repeat(300)}.tar.gz`);
    expect(name).toBe(`${'a'.repeat(197)}.gz`);
    expectSafe(name);
    expectSafe(sanitizeFileName('b'.repeat(300)));
    expectSafe(sanitizeFileName(`x.${'c'.repeat(300)}`));
  });

  it('does not split a surrogate pair when capping', () => {
    const name = sanitizeFileName(`a${'\u{1D49C}'.repeat(150)}.png`);
    expectSafe(name);
    expect(name.endsWith('\u{1D49C}.png')).toBe(true);
    expect(name).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});

describe('contentDispositionFor', () => {
  it('sends ASCII names as a quoted filename', () => {
    expect(contentDispositionFor('report (1).pdf')).toBe('attachment; filename="report (1).pdf"');
  });

  it('adds filename* with an ASCII fallback for other names', () => {
    expect(contentDispositionFor('résumé.pdf')).toBe(`attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`);
    expect(contentDispositionFor('報告.pdf')).toBe(`attachment; filename="__.pdf"; filename*=UTF-8''%E5%A0%B1%E5%91%8A.pdf`);
  });

  it('sanitizes, so no path, quote or line break reaches the header', () => {
    const header = contentDispositionFor('../x"\r\nSet-Cookie: a=b.html');
    expect(header).toBe('attachment; filename="x_ Set-Cookie_ a_b.html"');
    expect(header).not.toMatch(/[\r\n]/);
  });
});
